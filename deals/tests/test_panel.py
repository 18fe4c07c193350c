"""The deal panel of a lead's page: the form of each step the deal is at, in the reader's language, with its
defaults (the team's today, a year's term, the only standing contract)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from deals.services import add_proposal, confirm_need, sign_contract
from deals.tests.test_pipeline import EFFECTIVE, walk_to_proposal
from leads.tests.factories import owned_lead
from visits.services.entry import log_visit

LABELS = {
    "en": ("Contract number", "Amount (CNY)", "Signed on", "Term (months)", "Received on", "Back to", "Confirmed need"),
    "zh-hans": ("合同编号", "金额（元）", "签约日期", "期限（月）", "到账日期", "退回到", "确认的需求"),
}


def field_group(page: str, name: str) -> str:
    """The markup of one field's group: its label, its input and its help."""
    found = re.search(rf'<div id="div_id_{name}" class="mb-3">(.*?)</div>\s*(?=<div id="div_id_|<button)', page, re.S)
    assert found, name
    return found[1]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_step_s_form_shows_its_fields_and_defaults(client, owner, team, time_machine, language):
    number, amount, signed_on, term, received_on, back_to, need = LABELS[language]
    # 01:00 in Shanghai on the 28th is still the 27th in UTC: the forms' days are the team's.
    time_machine.move_to("2026-11-28 01:00:00+08:00", tick=False)
    deal = owned_lead(team, owner)
    walk_to_proposal(owner, deal)
    other = owned_lead(team, owner)
    log_visit(actor=owner, lead=other, values=EFFECTIVE)
    confirm_need(actor=owner, lead=other, need="两家<b>门店</b>的会员系统")
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": language, "next": "/"})

    at_proposal = client.get(deal.get_absolute_url()).content.decode()

    assert f">{number}<" in field_group(at_proposal, "number")
    assert 'name="number" maxlength="50"' in field_group(at_proposal, "number")
    assert f">{signed_on}<" in field_group(at_proposal, "signed_on")
    assert 'type="date" name="signed_on" value="2026-11-28"' in field_group(at_proposal, "signed_on")
    assert f">{term}<" in field_group(at_proposal, "term_months")
    assert 'name="term_months" value="12"' in field_group(at_proposal, "term_months")
    assert f">{amount}<" in field_group(at_proposal, "amount")
    assert 'type="file" name="file"' in field_group(at_proposal, "file")
    assert f">{back_to}<" in field_group(at_proposal, "to_stage")
    assert 'name="need"' not in at_proposal  # the need is confirmed: its form is for earlier steps
    # Another deal, its need confirmed: the need's form holds it, to correct; no contract to sign yet.
    at_need = client.get(other.get_absolute_url()).content.decode()
    assert f">{need}<" in field_group(at_need, "need")
    assert "两家&lt;b&gt;门店&lt;/b&gt;的会员系统</textarea>" in field_group(at_need, "need")
    assert 'name="number"' not in at_need

    add_proposal(actor=owner, lead=other, amount="9000")
    contracts = {
        lead: sign_contract(
            actor=owner, lead=lead, number=number, amount="9000", signed_on=date(2026, 11, 28), term_months=12
        )
        for lead, number in ((deal, "HT-9"), (other, "HT-10"))
    }
    for lead, contract in contracts.items():
        signed = client.get(lead.get_absolute_url()).content.decode()
        # Each deal offers its own contract for a payment, whichever page was opened first.
        offered = field_group(signed, "contract")
        assert re.findall(r'<option value="(\d+)"', offered) == [str(contract.pk)]
        assert f'<option value="{contract.pk}" selected>{contract.number}</option>' in offered
        assert f">{received_on}<" in field_group(signed, "received_on")
        assert 'type="date" name="received_on" value="2026-11-28"' in field_group(signed, "received_on")
