import pytest
from django.utils import translation

from core.errors import DomainError
from core.models import Membership, Role
from core.services import add_member, move_rep, record_heartbeat
from core.tests.factories import UserFactory


def test_an_admin_adds_a_rep_to_a_team(admin_user, team):
    rep = UserFactory(username="new-rep")

    membership = add_member(actor=admin_user, team=team, user=rep, role=Role.REP)

    assert membership.role == Role.REP
    assert rep.role == Role.REP


def test_only_an_admin_changes_memberships_and_the_refusal_reads_in_either_language(manager, team):
    with pytest.raises(DomainError, match="只有管理员可以调整团队成员"):
        add_member(actor=manager, team=team, user=UserFactory(), role=Role.REP)
    with translation.override("en"), pytest.raises(DomainError, match="Only an admin can change team memberships"):
        add_member(actor=manager, team=team, user=UserFactory(), role=Role.REP)


def test_a_rep_cannot_join_a_second_team(admin_user, owner, other_team):
    with pytest.raises(DomainError, match="已属于其他团队"):
        add_member(actor=admin_user, team=other_team, user=owner, role=Role.REP)

    assert list(Membership.objects.filter(user=owner).values_list("team__name", flat=True)) == ["杭州一区"]


def test_a_person_keeps_one_role_in_every_team(admin_user, manager, other_team):
    with pytest.raises(DomainError, match="已有其他角色"):
        add_member(actor=admin_user, team=other_team, user=manager, role=Role.QC)


def test_a_manager_may_run_several_teams(admin_user, manager, other_team):
    add_member(actor=admin_user, team=other_team, user=manager, role=Role.MANAGER)

    assert Membership.objects.filter(user=manager, role=Role.MANAGER).count() == 2


def test_moving_a_rep_leaves_them_in_exactly_the_new_team(admin_user, owner, other_team):
    move_rep(actor=admin_user, rep=owner, to_team=other_team)

    assert list(Membership.objects.filter(user=owner).values_list("team__name", flat=True)) == ["上海二区"]


def test_the_database_refuses_a_rep_in_two_teams_even_past_the_service(owner, other_team):
    from django.db import IntegrityError, transaction

    # PostgreSQL names the constraint; SQLite names the column its unique index covers.
    refused = r"rep_in_one_team|UNIQUE constraint failed: crm_membership\.user_id"
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        Membership.objects.create(user=owner, team=other_team, role=Role.REP)


def test_record_heartbeat_moves_the_last_run_forward(db, time_machine):
    time_machine.move_to("2026-11-27 08:00:00+08:00", tick=False)
    record_heartbeat(name="beat")
    time_machine.move_to("2026-11-27 08:01:00+08:00", tick=False)

    heartbeat = record_heartbeat(name="beat")

    assert heartbeat.last_run_at.isoformat() == "2026-11-27T00:01:00+00:00"


def test_notifications_are_mailed_after_commit_when_mail_is_set_up(
    owner, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from config.celery import app
    from core.models import Notification
    from core.notifications import notify

    settings.EMAIL_ENABLED = True
    owner.email = "owner@example.com"
    owner.save()
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            notify([Notification(user=owner, kind="allocated", params={"count": 30}, created_at=timezone.now())])
    finally:
        app.conf.task_always_eager = False

    assert [message.to for message in mailoutbox] == [["owner@example.com"]]
    assert "30" in mailoutbox[0].body


def test_without_mail_set_up_notifications_stay_in_the_app(
    owner, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from core.models import Notification
    from core.notifications import notify

    settings.EMAIL_ENABLED = False
    owner.email = "owner@example.com"
    owner.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify([Notification(user=owner, kind="allocated", params={"count": 30}, created_at=timezone.now())])

    assert callbacks == []
    assert mailoutbox == []
