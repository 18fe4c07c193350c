"""Faults the sysadmin will meet: the database out of reach."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def test_with_the_database_down_a_page_says_try_again_in_the_users_language_and_recovers(owner):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(owner)
    settings_dict = connection.settings_dict
    real_host, real_port, real_name = settings_dict["HOST"], settings_dict["PORT"], settings_dict["NAME"]
    connection.close()
    # A port nothing listens on (on SQLite, a folder that does not exist): the database is out of reach.
    if connection.vendor == "postgresql":
        settings_dict.update({"HOST": "127.0.0.1", "PORT": "9"})
    else:
        settings_dict["NAME"] = "/nonexistent/folder/crm.sqlite3"
    try:
        down = client.get(reverse("pools:mine"))
        english = client.get(reverse("pools:mine"), HTTP_ACCEPT_LANGUAGE="en")
    finally:
        connection.close()
        settings_dict.update({"HOST": real_host, "PORT": real_port, "NAME": real_name})

    assert down.status_code == 503
    assert down["Retry-After"] == "10"
    assert "数据库" in down.content.decode()
    assert english.status_code == 503
    assert "Try again in a moment" in english.content.decode()
    assert client.get(reverse("pools:mine")).status_code == 200
