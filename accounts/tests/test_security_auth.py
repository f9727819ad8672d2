"""Replays of the attacks in the "Trust" issue: password guessing, immortal tokens, password changes."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import SalespersonFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
START = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def user():
    return SalespersonFactory(username="amy", language="en")


def _login(client, password, *, url=LOGIN, username="amy"):
    return client.post(url, {"username": username, "password": password})


def _token(client, password, username="amy"):
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


# --- login page ---------------------------------------------------------------------------------------------


def test_login_page_locks_after_five_failures_until_the_cool_off_passes(user):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            assert _login(client, "wrong").status_code == 200  # the form again, with its error
        locked = _login(client, "wrong")  # the 5th failure locks
        assert locked.status_code == 429
        assert "Too many failed logins" in locked.content.decode()
        assert "15 minutes" in locked.content.decode()

        refused = _login(client, "pw")  # the right password is refused while locked
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session

        clock.shift(dt.timedelta(minutes=14))
        assert _login(client, "pw").status_code == 429

        clock.shift(dt.timedelta(minutes=1, seconds=1))
        ok = _login(client, "pw")
        assert ok.status_code == 302
        assert int(client.session["_auth_user_id"]) == user.pk


def test_lockout_page_is_in_chinese_for_a_chinese_browser(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hant")
    for _ in range(5):
        response = _login(client, "wrong")
    assert response.status_code == 429
    assert "登入失敗次數過多" in response.content.decode()


def test_lockout_is_per_username_and_address(user):
    other = SalespersonFactory(username="bob")
    attacker = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        _login(attacker, "wrong")
    assert _login(attacker, "pw").status_code == 429
    # amy from her own address, and bob from the attacker's, are not locked
    assert _login(Client(REMOTE_ADDR="10.0.0.1"), "pw").status_code == 302
    assert _login(attacker, "pw", username=other.username).status_code == 302


def test_a_successful_login_resets_the_count(user):
    client = Client()
    for _ in range(4):
        _login(client, "wrong")
    assert _login(client, "pw").status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "wrong").status_code == 200
    assert _login(client, "pw").status_code == 302


def test_admin_login_locks_too(admin_user):
    client = Client()
    for _ in range(5):
        response = _login(client, "wrong", url=ADMIN_LOGIN, username=admin_user.username)
    assert response.status_code == 429
    response = _login(client, "pw", url=ADMIN_LOGIN, username=admin_user.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- token endpoint -----------------------------------------------------------------------------------------


def test_token_endpoint_locks_after_five_failures_with_a_429(user):
    client = APIClient()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            assert _token(client, "wrong").status_code == 400
        locked = _token(client, "wrong")
        assert locked.status_code == 429
        assert locked.json()["code"] == "locked_out"
        assert "15 minutes" in locked.json()["detail"]
        assert _token(client, "pw").status_code == 429

        clock.shift(dt.timedelta(minutes=15, seconds=1))
        response = _token(client, "pw")
        assert response.status_code == 200
        assert response.json()["token"]


def test_token_lockout_message_in_chinese(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hant")
    for _ in range(5):
        response = _token(client, "wrong")
    assert response.status_code == 429
    assert "分鐘" in response.json()["detail"]


def test_token_endpoint_is_throttled_per_address(user):
    client = APIClient()
    for _ in range(10):
        assert _token(client, "pw").status_code == 200
    throttled = _token(client, "pw")
    assert throttled.status_code == 429
    assert "throttled" in throttled.json()["detail"].lower()


def test_lockout_and_throttle_are_in_the_openapi_schema(admin_user):
    client = APIClient()
    client.force_login(admin_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    token_post = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert {"200", "400", "429"} <= set(token_post["responses"])
    assert "expires" in schema["components"]["schemas"]["TokenOutput"]["properties"]
    assert "/api/v1/auth/logout/" in schema["paths"]


# --- expiring and revocable tokens --------------------------------------------------------------------------


def test_token_expires_after_its_lifetime_with_a_clear_401(user, settings):
    settings.API_TOKEN_LIFETIME = dt.timedelta(days=7)
    client = APIClient()
    with time_machine.travel(START, tick=False) as clock:
        body = _token(client, "pw").json()
        assert dt.datetime.fromisoformat(body["expires"]) == START + dt.timedelta(days=7)
        client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
        clock.shift(dt.timedelta(days=6, hours=23))
        assert client.get(ME).status_code == 200
        # asking again while valid returns the same token (fixed lifetime, not sliding)
        assert APIClient().post(TOKEN, {"username": "amy", "password": "pw"}).json()["token"] == body["token"]

        clock.shift(dt.timedelta(hours=1))
        expired = client.get(ME)
        assert expired.status_code == 401
        assert "expired" in expired.json()["detail"]

        # a stale token in the header does not stop the caller from getting a fresh one
        fresh = client.post(TOKEN, {"username": "amy", "password": "pw"})
        assert fresh.status_code == 200
        assert fresh.json()["token"] != body["token"]
        assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [fresh.json()["token"]]


def test_logout_revokes_the_token(user):
    client = APIClient()
    token = _token(client, "pw").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(ME).status_code == 200
    assert client.post(LOGOUT).status_code == 204
    assert client.get(ME).status_code == 401
    assert not Token.objects.filter(user=user).exists()


def test_logout_needs_authentication():
    assert APIClient().post(LOGOUT).status_code in (401, 403)


def test_password_change_revokes_tokens_and_other_sessions_but_keeps_this_one(user):
    api = APIClient()
    token = _token(api, "pw").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    laptop, phone = Client(), Client()
    laptop.force_login(user)
    phone.force_login(user)
    assert phone.get("/").status_code == 200

    response = laptop.post(
        "/accounts/password/",
        {"old_password": "pw", "new_password1": "N3w-secret-pass!", "new_password2": "N3w-secret-pass!"},
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200  # the page that changed it stays signed in
    assert phone.get("/").status_code == 302  # the other session is sent to the login page
    assert api.get(ME).status_code == 401
    assert not Token.objects.filter(user=user).exists()


def test_a_silent_hash_upgrade_on_login_does_not_revoke_tokens(user, settings):
    token = Token.objects.create(user=user)
    # The test hasher is MD5; make PBKDF2 preferred so the next login rehashes the stored password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert _login(Client(), "pw").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_")
    assert Token.objects.filter(pk=token.pk).exists()


# --- password reset by e-mail -------------------------------------------------------------------------------


def _reset_link(message) -> str:
    return re.search(r"https?://[^/]+(/accounts/password/reset/\S+/\S+/)", message.body).group(1)


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [("en", "Reset your Sales CRM password", "open this link"), ("zh-hant", "重設業務管理系統密碼", "開啟這個連結")],
)
def test_reset_email_arrives_in_the_users_language_and_sets_a_new_password(language, subject, phrase):
    user = SalespersonFactory(username="amy", email="amy@example.com", language=language)
    token = Token.objects.create(user=user)
    # asked from an English browser: the e-mail still follows the user's own language
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert 'href="/accounts/password/reset/"' in client.get(LOGIN).content.decode()
    response = client.post("/accounts/password/reset/", {"email": "AMY@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amy@example.com"]
    assert message.subject == subject
    assert phrase in message.body

    link = _reset_link(message)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "N3w-secret-pass!", "new_password2": "N3w-secret-pass!"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("N3w-secret-pass!")
    assert not Token.objects.filter(pk=token.pk).exists()
    # the link works once
    assert {"en": "no longer valid", "zh-hant": "已失效"}[language] in Client(HTTP_ACCEPT_LANGUAGE=language).get(
        link, follow=True
    ).content.decode()


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same():
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)
    assert response.status_code == 200
    assert mail.outbox == []
    assert "If an account has that e-mail address" in response.content.decode()


def test_reset_lifts_a_lockout(user):
    client = Client()
    for _ in range(5):
        _login(client, "wrong")
    assert _login(client, "pw").status_code == 429
    client.post("/accounts/password/reset/", {"email": user.email})
    link = _reset_link(mail.outbox[0])
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "N3w-secret-pass!", "new_password2": "N3w-secret-pass!"})
    assert _login(client, "N3w-secret-pass!").status_code == 302
