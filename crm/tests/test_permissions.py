import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from crm.permissions import manager_required, qc_required, rep_required


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


@pytest.mark.parametrize(
    ("view", "allowed"),
    [
        (rep_page, {"owner"}),
        (manager_page, {"manager", "admin_user"}),
        (qc_page, {"qc_user", "admin_user"}),
    ],
)
def test_each_role_reaches_only_its_own_pages(request, view, allowed):
    for fixture in ("owner", "manager", "qc_user", "admin_user"):
        user = request.getfixturevalue(fixture)
        if fixture in allowed:
            assert call(view, user).status_code == 200
        else:
            with pytest.raises(PermissionDenied):
                call(view, user)
