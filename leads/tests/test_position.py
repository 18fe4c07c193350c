"""Where a lead is: from the import, from a manager, or from a check-in QC confirmed; never exported or shown to a
rep who does not see the lead's contact."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import DomainError
from leads.models import Lead, PositionSource
from leads.services.position import set_position
from leads.services.transfer import check_import, commit_import, export_table, upload_import
from leads.tests.factories import LeadFactory
from leads.tests.test_services import csv_bytes


def test_an_import_brings_the_positions_it_has_and_refuses_half_of_one(manager, team):
    raw = csv_bytes(
        [
            ["公司名称", "纬度", "经度"],
            ["杭州有位置公司", "30.2741", "120.1551"],
            ["杭州没位置公司", "", ""],
            ["杭州半个位置公司", "30.2741", "东经"],
        ]
    )
    lead_import = upload_import(actor=manager, team=team, file_name="leads.csv", raw=raw)
    preview = check_import(lead_import=lead_import)
    assert [row.number for row in preview.bad] == [4]
    assert "纬度和经度都必须是数字" in " ".join(preview.bad[0].errors)

    commit_import(actor=manager, lead_import=lead_import)

    placed = Lead.objects.get(company_name="杭州有位置公司")
    assert (placed.latitude, placed.longitude, placed.position_source) == (
        Decimal("30.274100"),
        Decimal("120.155100"),
        PositionSource.IMPORT,
    )
    assert Lead.objects.get(company_name="杭州没位置公司").latitude is None


def test_a_manager_places_a_lead_and_a_rep_cannot(manager, owner, team):
    lead = LeadFactory(team=team)

    set_position(actor=manager, lead=lead, latitude="30.25", longitude="120.16")
    with pytest.raises(DomainError, match="只有该团队的主管可以执行此操作"):
        set_position(actor=owner, lead=lead, latitude="31", longitude="121")
    with pytest.raises(DomainError, match="请以数字填写纬度和经度"):
        set_position(actor=manager, lead=lead, latitude="north", longitude="120")

    lead.refresh_from_db()
    assert (lead.latitude, lead.position_source) == (Decimal("30.250000"), PositionSource.MANAGER)


def test_positions_are_not_exported_nor_shown_in_the_public_pool(client, manager, owner, team):
    lead = LeadFactory(team=team, company_name="杭州公海公司")
    set_position(actor=manager, lead=lead, latitude="30.123456", longitude="120.654321")

    exported = b"".join(export_table(Lead.objects.all()).as_csv()).decode("utf-8-sig")
    client.force_login(owner)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "30.123456" not in exported
    assert "30.123456" not in page
    client.force_login(manager)
    assert "30.123456" in client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
