"""Two-factor authentication in Chromium: a GM-office user whose role requires it is sent to the enrolment page,
scans (reads) the key, confirms with a code computed here, keeps the recovery codes; signing in again takes the
password and then a fresh code. The enrolment is done on a 390 px phone."""

import datetime as dt
import re
from base64 import b32decode

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp

from accounts.tests.factories import GMFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _code(key: str) -> str:
    """What an authenticator app shows now for the key as printed on the page (groups of four, base32)."""
    return f"{totp(b32decode(key.replace(' ', '')), step=30, t0=0, digits=6):06d}"


@override_settings(TWO_FACTOR_REQUIRED_ROLES=["admin", "gm_office", "finance"])
def test_enrol_then_sign_in_with_a_code(browser, live_server, artifacts_dir):
    gm = GMFactory(username="gina", language="en")
    phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", gm.username)
    page.fill("input[name=password]", "pw")
    page.click("#login-form button[type=submit]")
    # the role requires two-factor: every page leads to the enrolment
    page.wait_for_url(f"{base}/accounts/two-factor/")
    assert page.locator("#two-factor-required").is_visible()
    page.goto(f"{base}/customers/")
    page.wait_for_url(f"{base}/accounts/two-factor/")
    qr = page.locator("#two-factor-qr svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    key = page.locator("#two-factor-key").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}", key)
    page.screenshot(path=str(artifacts_dir / "two-factor-enrol-phone.png"), full_page=True)

    page.fill("input[name=code]", "000000" if _code(key) != "000000" else "111111")
    page.click("#two-factor-setup-form button[type=submit]")
    assert page.locator("#two-factor-setup-form .invalid-feedback, #two-factor-setup-form .is-invalid").count() > 0

    page.wait_for_timeout(1100)  # a wrong code makes the device wait a second
    page.fill("input[name=code]", _code(key))
    page.click("#two-factor-setup-form button[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", c) for c in codes)
    page.click("#recovery-codes-done")
    page.wait_for_url(f"{base}/")
    phone.close()

    # Sign in again on a desktop, half a minute later: the enrolment code is used up, the app shows a new one.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30), tick=True):
        desk = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = desk.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{base}/accounts/login/?next=/customers/")
        page.fill("input[name=username]", gm.username)
        page.fill("input[name=password]", "pw")
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{base}/accounts/login/code/")
        page.goto(f"{base}/")  # the password alone signed nobody in
        assert "/accounts/login/" in page.url
        page.go_back()
        page.wait_for_url(f"{base}/accounts/login/code/")
        page.fill("input[name=code]", _code(key))
        page.click("#login-code-form button[type=submit]")
        page.wait_for_url(f"{base}/customers/")
        page.screenshot(path=str(artifacts_dir / "two-factor-signed-in.png"))
        desk.close()
