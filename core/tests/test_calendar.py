from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from core import calendar
from core.policy import policy_for


def test_a_teams_day_turns_at_its_own_midnight(team, other_team):
    other_team.time_zone = "America/New_York"
    moment = datetime(2026, 11, 27, 16, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 28th in Shanghai

    assert calendar.local_day(team, moment) == date(2026, 11, 28)
    assert calendar.local_day(other_team, moment) == date(2026, 11, 27)
    assert calendar.start_of_day(team, moment) == datetime(2026, 11, 28, tzinfo=ZoneInfo("Asia/Shanghai"))
    start, end = calendar.day_bounds(team, date(2026, 11, 27), date(2026, 11, 28))
    assert (end - start).days == 2
    assert start.astimezone(ZoneInfo("UTC")) == datetime(2026, 11, 26, 16, 0, tzinfo=ZoneInfo("UTC"))


def test_someone_in_no_team_lives_by_the_default_time_zone(settings):
    moment = datetime(2026, 11, 27, 16, 30, tzinfo=ZoneInfo("UTC"))

    assert calendar.local_day(None, moment) == timezone.localdate(moment, timezone.get_default_timezone())


def test_entry_closes_at_the_policys_cut_off_and_only_closed_days_are_judged(team, time_machine):
    policy = policy_for(team)
    policy.entry_cutoff = time(22, 0)
    policy.save()
    day = date(2026, 11, 27)

    assert calendar.entry_closes_at(team, day) == datetime(2026, 11, 27, 22, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to("2026-11-27 21:59:00+08:00", tick=False)
    assert not calendar.is_entry_closed(team, day)
    assert calendar.last_closed_day(team) == date(2026, 11, 26)
    time_machine.move_to("2026-11-27 22:00:01+08:00", tick=False)
    assert calendar.is_entry_closed(team, day)
    assert calendar.last_closed_day(team) == day


def test_a_morning_job_runs_once_the_teams_clock_has_passed_its_time(team):
    eight = time(8, 0)

    assert not calendar.has_passed(team, eight, datetime(2026, 11, 27, 7, 59, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert calendar.has_passed(team, eight, datetime(2026, 11, 27, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
