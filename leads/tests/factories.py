import factory
from django.utils import timezone

from core.policy import policy_for
from leads.deadlines import deadlines_from
from leads.models import Lead, LeadSource, LeadState
from leads.normalize import company_key, phone_key


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    team = factory.SubFactory("core.tests.factories.TeamFactory")
    state = LeadState.PUBLIC
    company_name = factory.Sequence(lambda n: f"杭州测试{n:05d}商贸有限公司")
    company_key = factory.LazyAttribute(lambda lead: company_key(lead.company_name))
    contact_name = "王经理"
    contact_role = "总经理"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    phone_key = factory.LazyAttribute(lambda lead: phone_key(lead.phone))
    district = "西湖区"
    city = "杭州市"
    industry = "餐饮"
    source = LeadSource.IMPORT


def owned_lead(team, owner, state=LeadState.ASSIGNED, **fields) -> Lead:
    """Return a lead owned by `owner` with its timers started now, as a claim would leave it."""
    now = timezone.now()
    timers = deadlines_from(policy_for(team), now) if state == LeadState.ASSIGNED else {}
    if state == LeadState.PRIVATE:
        timers = {"assigned_at": now, "private_since": now}
    return LeadFactory(team=team, owner=owner, state=state, **{**timers, **fields})
