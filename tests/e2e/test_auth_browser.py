import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_password_guessing_in_the_browser_hits_the_lockout_page(page, live_server, salesperson, artifacts_dir):
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", salesperson.username)
        page.fill("input[name=password]", "wrong")
        page.click("#login-form button[type=submit]")
    page.wait_for_selector("#locked-out")
    assert "15 minutes" in page.locator("#locked-out").inner_text()
    page.screenshot(path=str(artifacts_dir / "login-locked-out.png"))


def test_forgot_password_link_sends_a_reset_email_and_the_link_works(page, live_server, salesperson, login):
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#forgot-password")
    page.fill("input[name=email]", salesperson.email)
    page.click("#password-reset-form button[type=submit]")
    page.wait_for_selector("#password-reset-sent")
    path = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=new_password1]", "N3w-secret-pass!")
    page.fill("input[name=new_password2]", "N3w-secret-pass!")
    page.click("#password-reset-confirm-form button[type=submit]")
    page.wait_for_selector("#password-reset-complete")
    login(page, salesperson, password="N3w-secret-pass!")
    assert page.locator("#home-title").is_visible()
