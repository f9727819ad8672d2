"""Reassigning a 碰車 conflict: a confirmation page naming who loses and who gets the customer, a required reason,
the GM office only, both languages."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import ManagerFactory, SalesUnitFactory
from customers.models import CustomerConflict, OwnershipEvent
from customers.services import RegistrationRefused, customer_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict(salesperson, other_salesperson):
    customer_register(actor=salesperson, data={"name": "大同紡織股份有限公司"})
    with pytest.raises(RegistrationRefused):
        customer_register(actor=other_salesperson, data={"name": "大同紡織"})
    return CustomerConflict.objects.get()


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_confirmation_page_names_both_sides(client, gm, conflict, salesperson, other_salesperson, language):
    gm.language = language
    gm.save(update_fields=["language"])
    client.force_login(gm)
    response = client.get(reverse("customers:conflict_reassign", args=[conflict.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert conflict.customer.picker_label in html
    assert salesperson.get_full_name() in html and other_salesperson.get_full_name() in html
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        assert translation.gettext("Reason for the reassignment") in html
    conflict.refresh_from_db()
    assert conflict.status == "open"  # showing the page changes nothing


@pytest.mark.parametrize("reason", ["", "   "])
def test_the_reason_is_required(client, gm, conflict, reason):
    client.force_login(gm)
    events = OwnershipEvent.objects.count()
    response = client.post(reverse("customers:conflict_reassign", args=[conflict.pk]), {"reason": reason})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_reason"' in html and "is-invalid" in html
    conflict.refresh_from_db()
    assert conflict.status == "open" and OwnershipEvent.objects.count() == events


def test_too_long_a_reason_is_a_form_error(client, gm, conflict):
    client.force_login(gm)
    response = client.post(reverse("customers:conflict_reassign", args=[conflict.pk]), {"reason": "x" * 5000})
    assert response.status_code == 200 and "at most 500 characters" in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.status == "open"


def test_gm_confirms_with_a_reason(client, gm, conflict, other_salesperson):
    client.force_login(gm)
    response = client.post(reverse("customers:conflict_reassign", args=[conflict.pk]), {"reason": " visited first "})
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.status == "reassigned" and conflict.decision_reason == "visited first"
    assert conflict.customer.owner == other_salesperson
    # Decided: the page no longer offers it.
    response = client.get(reverse("customers:conflict_reassign", args=[conflict.pk]), follow=True)
    assert "already been decided" in response.content.decode()


def test_only_the_gm_office(client, conflict, salesperson, other_salesperson):
    url = reverse("customers:conflict_reassign", args=[conflict.pk])
    client.force_login(salesperson)  # the first owner does not even see the conflict
    assert client.get(url).status_code == 404
    client.force_login(other_salesperson)  # the claimant sees it but may not decide
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "mine"}).status_code == 403
    client.force_login(ManagerFactory(unit=SalesUnitFactory()))  # another unit's manager
    assert client.get(url).status_code == 404
    conflict.refresh_from_db()
    assert conflict.status == "open"
