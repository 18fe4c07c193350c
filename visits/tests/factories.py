from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from visits.counting import rebuild_rep_days
from visits.models import Visit


def visits_for(rep, team, day, *, in_person=0, effective=0, phone=0, cold=0, voided=0):
    """Create a day's visits for a rep directly (as if entered that evening): counts per kind."""
    moment = datetime.combine(day, time(10), tzinfo=ZoneInfo(team.time_zone))
    kinds = (
        [("in_person", "potential", False, False)] * (in_person - effective - cold)
        + [("in_person", "effective", False, False)] * effective
        + [("in_person", "potential", True, False)] * cold
        + [("phone", "potential", False, False)] * phone
        + [("in_person", "effective", False, True)] * voided
    )
    Visit.objects.bulk_create(
        Visit(
            rep=rep,
            team=team,
            company_name=f"visit {number}",
            day=day,
            occurred_at=moment + timedelta(minutes=number),
            entered_at=moment + timedelta(hours=8),
            mode=mode,
            person_role="owner",
            outcome=outcome,
            is_cold=is_cold,
            is_voided=is_voided,
        )
        for number, (mode, outcome, is_cold, is_voided) in enumerate(kinds)
    )
    rebuild_rep_days(team_ids=[team.pk], first=day, last=day)
