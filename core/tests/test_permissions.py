from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from core.access import manager_required, qc_required, rep_required


@rep_required
def rep_page(request):
    return HttpResponse("rep page")


@manager_required
def manager_page(request):
    return HttpResponse("manager page")


@qc_required
def qc_page(request):
    return HttpResponse("qc page")


def call(view, user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return view(request)


def test_anonymous_visitors_are_sent_to_the_login_page():
    response = call(rep_page, AnonymousUser())

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/somewhere/")


def assert_reaches(view, allowed, refused):
    for user in allowed:
        assert call(view, user).status_code == 200
    for user in refused:
        response = call(view, user)
        assert response.status_code == 403
        assert view.__name__.replace("_", " ") not in response.content.decode()  # the site's 403 page, not the view


def test_only_reps_reach_rep_pages(owner, manager, qc_user, admin_user):
    assert_reaches(rep_page, allowed=[owner], refused=[manager, qc_user, admin_user])


def test_managers_and_admins_reach_manager_pages(owner, manager, qc_user, admin_user):
    assert_reaches(manager_page, allowed=[manager, admin_user], refused=[owner, qc_user])


def test_qc_and_admins_reach_qc_pages(owner, manager, qc_user, admin_user):
    assert_reaches(qc_page, allowed=[qc_user, admin_user], refused=[owner, manager])
