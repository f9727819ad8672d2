"""Sales leads of market reports turned into prospect customers: through the customers app's registration form
(prefilled, its rules still run), linked lead → customer, counted on the intelligence page; another unit's → 404."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ManagerFactory
from customers.models import Customer, CustomerConflict
from customers.tests.factories import CustomerFactory
from field.models import LeadConversion, MarketReport
from field.rules import lead_lines, lead_prefill

pytestmark = pytest.mark.django_db

LEADS = "大成五金，0912-345-678 想換濾水器\n\n林記商行：老闆想看型錄\n"


def report_with_leads(author) -> MarketReport:
    return MarketReport.objects.create(
        author=author, unit=author.unit, date=timezone.localdate(), place="台中第二市場", region="台中", leads=LEADS
    )


def test_lead_lines_and_prefill():
    assert lead_lines(LEADS) == ["大成五金，0912-345-678 想換濾水器", "林記商行：老闆想看型錄"]
    assert lead_prefill("大成五金，0912-345-678 想換濾水器") == {"name": "大成五金", "phone": "0912-345-678"}
    assert lead_prefill("林記商行：老闆想看型錄") == {"name": "林記商行", "phone": ""}
    assert lead_prefill("04 2222 3333 陳先生") == {"name": "陳先生", "phone": "04 2222 3333"}


def test_a_lead_becomes_a_prospect_through_the_registration_form_and_is_counted(client, salesperson, manager):
    report = report_with_leads(salesperson)
    client.force_login(salesperson)
    start = client.get(reverse("field:lead_convert", args=[report.pk, 1]))
    assert start.status_code == 302
    target = urlparse(start["Location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert target.path == reverse("customers:create")
    assert (query["name"], query["phone"], query["region"]) == ("大成五金", "0912-345-678", "台中")
    assert query["next"] == reverse("field:lead_link", args=[report.pk, 1]) and "想換濾水器" in query["notes"]
    form = client.get(start["Location"])
    assert form.context["form"].initial["name"] == "大成五金"
    assert f'name="next" value="{query["next"]}"' in form.content.decode()
    done = client.post(
        reverse("customers:create"),
        {"name": "大成五金", "phone": "0912-345-678", "status": "prospect", "tier": "ordinary", "next": query["next"]},
        follow=True,
    )
    customer = Customer.objects.get(name="大成五金")
    assert customer.owner == salesperson and customer.status == "prospect"
    assert done.redirect_chain[-1][0] == reverse("field:report", args=[report.pk])
    conversion = LeadConversion.objects.get()
    assert (conversion.report, conversion.line, conversion.customer, conversion.converted_by) == (
        report,
        1,
        customer,
        salesperson,
    )
    assert conversion.lead == "大成五金，0912-345-678 想換濾水器"
    page = client.get(reverse("field:report", args=[report.pk])).content.decode()
    assert reverse("customers:detail", args=[customer.pk]) in page
    assert reverse("field:lead_convert", args=[report.pk, 2]) in page
    # turned once: the button now leads to the customer
    again = client.get(reverse("field:lead_convert", args=[report.pk, 1]))
    assert again["Location"] == reverse("customers:detail", args=[customer.pk])
    client.force_login(manager)
    intel = client.get(reverse("field:intelligence"))
    assert (intel.context["data"].lead_count, intel.context["data"].prospect_count) == (2, 1)
    assert "2 leads, 1 turned into prospects" in intel.content.decode()


def test_registration_rules_still_run_and_nothing_is_linked_when_refused(client, salesperson, other_salesperson):
    CustomerFactory(owner=other_salesperson, name="大成五金", tax_id="", phone="")
    report = report_with_leads(salesperson)
    client.force_login(salesperson)
    nxt = reverse("field:lead_link", args=[report.pk, 1])
    refused = client.post(
        reverse("customers:create"), {"name": "大成五金", "status": "prospect", "tier": "ordinary", "next": nxt}
    )
    assert refused.status_code == 200 and "Already registered by" in refused.content.decode()
    assert CustomerConflict.objects.filter(claimant=salesperson).count() == 1
    assert not LeadConversion.objects.exists()


def test_another_units_lead_and_an_unseen_customer_are_404(
    client, salesperson, teammate, other_salesperson, other_unit
):
    report = report_with_leads(salesperson)
    theirs = CustomerFactory(owner=other_salesperson)
    for outsider in (other_salesperson, ManagerFactory(unit=other_unit), teammate):
        client.force_login(outsider)
        assert client.get(reverse("field:lead_convert", args=[report.pk, 1])).status_code == 404
        assert client.get(reverse("field:lead_link", args=[report.pk, 1]), {"customer": theirs.pk}).status_code == 404
    client.force_login(salesperson)
    link = reverse("field:lead_link", args=[report.pk, 1])
    assert client.get(reverse("field:lead_convert", args=[report.pk, 1])).status_code == 302
    assert client.get(link, {"customer": theirs.pk}).status_code == 404  # a customer they may not see
    assert client.get(reverse("field:lead_convert", args=[report.pk, 3])).status_code == 404  # no such lead
    assert not LeadConversion.objects.exists()


def test_an_offsite_next_is_ignored(client, salesperson):
    client.force_login(salesperson)
    response = client.post(
        reverse("customers:create"),
        {"name": "Sunrise Foods", "status": "prospect", "tier": "ordinary", "next": "https://evil.example/x"},
    )
    assert response["Location"] == reverse("customers:detail", args=[Customer.objects.get().pk])


def test_lead_button_and_count_are_in_chinese(client, salesperson, manager):
    for user in (salesperson, manager):
        user.language = "zh-hant"
        user.save()
    report = report_with_leads(salesperson)
    client.force_login(salesperson)
    page = client.get(reverse("field:report", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "轉為潛在客戶" in page and "竄貨證據" in page
    client.force_login(manager)
    intel = client.get(reverse("field:intelligence"), HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "銷售線索 2 條，其中 0 條已轉為潛在客戶" in intel


def test_a_link_not_started_from_the_leads_button_links_nothing(client, salesperson):
    """A forged link (e.g. from another site) cannot tie a lead to a customer: only a conversion the user started."""
    report = report_with_leads(salesperson)
    mine = CustomerFactory(owner=salesperson)
    client.force_login(salesperson)
    response = client.get(reverse("field:lead_link", args=[report.pk, 1]), {"customer": mine.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("field:report", args=[report.pk])
    assert "Use the lead" in response.content.decode()
    assert not LeadConversion.objects.exists()
