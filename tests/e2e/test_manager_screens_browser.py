"""Manager and GM office screens without raw codes, in the real Chromium: a 碰車 reassignment confirmed with a
reason on its own page, and a target split picked from the unit's people (no "sales01, 6000000.00" box)."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from customers.models import CustomerConflict
from customers.services import RegistrationRefused, customer_register
from reports.models import Target, TargetLine

from .test_sales_browser import pick

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_gm_reassigns_a_conflict_with_a_reason(
    page, login, live_server, gm, salesperson, other_salesperson, artifacts_dir
):
    customer_register(actor=salesperson, data={"name": "大同紡織股份有限公司"})
    with pytest.raises(RegistrationRefused):
        customer_register(actor=other_salesperson, data={"name": "大同紡織"})
    conflict = CustomerConflict.objects.get()
    login(page, gm)
    page.goto(f"{live_server.url}/customers/conflicts/")
    page.click(f"#reassign-{conflict.pk}")
    summary = page.inner_text("#reassign-summary")
    assert conflict.customer.picker_label in summary and other_salesperson.get_full_name() in summary
    page.click("#reassign-form [type=submit]")  # no reason: refused, nothing changes
    page.wait_for_selector("#reassign-form .invalid-feedback")
    conflict.refresh_from_db()
    assert conflict.status == "open"
    page.fill("#reassign-form textarea[name=reason]", "The claimant visited first")
    page.screenshot(path=str(artifacts_dir / "conflict_reassign_confirm.png"), full_page=True)
    page.click("#reassign-form [type=submit]")
    page.wait_for_selector("text=Customer reassigned to the claimant.")
    conflict.refresh_from_db()
    assert conflict.status == "reassigned" and conflict.decision_reason == "The claimant visited first"


def test_manager_splits_a_target_by_picking_people(
    page, login, live_server, manager, salesperson, teammate, artifacts_dir
):
    target = Target.objects.create(  # this month's: a past month's target is closed
        unit=manager.unit,
        period_type="month",
        period_start=timezone.localdate().replace(day=1),
        amount=D("1000"),
        created_by=manager,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, manager)
    page.goto(f"{live_server.url}/reports/targets/{target.pk}/")
    form = "form[data-split-form=salesperson]"
    page.click(f"{form} [data-add-line]")
    page.keyboard.press("Escape")
    pick(page, "salesperson-0-key", f"({salesperson.username})", salesperson.get_full_name())
    page.fill("input[name=salesperson-0-amount]", "600")
    page.click(f"{form} [data-add-line]")
    page.keyboard.press("Escape")
    pick(page, "salesperson-1-key", f"({teammate.username})", teammate.get_full_name())
    page.fill("input[name=salesperson-1-amount]", "300")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "target_split_phone.png"), full_page=True)
    # A tap on Save straight from the amount field (no Enter, no blur first): the tap must land on the button.
    page.locator(f"{form} [type=submit]").click(no_wait_after=True)
    page.wait_for_selector("text=Split saved.")
    assert {(ln.salesperson, ln.amount) for ln in TargetLine.objects.all()} == {
        (salesperson, D("600.00")),
        (teammate, D("300.00")),
    }
