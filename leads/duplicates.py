"""Finding the lead a new entry duplicates: same normalised company name, or a shared phone number."""

from django.db.models import CharField, Q
from django.db.models.lookups import In

from leads.models import Lead
from leads.normalize import company_key, phone_key


def phone_keys_of(*phones: str) -> list[str]:
    return [key for key in (phone_key(phone) for phone in phones) if key]


@CharField.register_lookup
class AnyOf(In):
    """`in`, written `= ANY(%s)` on PostgreSQL: an import's batch looks up thousands of keys at once, and with a
    placeholder each psycopg parsed a statement of 6,000 of them again for every batch."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


def match_condition(company_keys, phone_keys) -> Q:
    condition = Q(company_key__any_of=list(company_keys))
    if phone_keys:
        condition |= Q(phone_key__any_of=list(phone_keys)) | Q(second_phone_key__any_of=list(phone_keys))
    return condition


def find_duplicate(company_name: str, *phones: str) -> Lead | None:
    """Return the existing lead (in any team) that this company or one of these phones matches."""
    key = company_key(company_name)
    phone_keys = phone_keys_of(*phones)
    if not key and not phone_keys:
        return None
    return (
        Lead.objects.filter(match_condition([key] if key else [], phone_keys))
        .select_related("owner", "team")
        .order_by("pk")
        .first()
    )
