"""Two-factor authentication (TOTP, django-otp): enrolment, the second step of signing in, recovery codes,
replay and brute force, the role policy, the API token endpoint, disabling and the admin's reset."""

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.contrib import admin
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import RecoveryCode
from accounts.services import api_token_obtain, totp_device_confirm, totp_device_start, two_factor_reset
from accounts.tests.factories import AdminFactory, FinanceFactory, GMFactory, SalespersonFactory
from core.exceptions import PermissionDenied

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
SETUP = "/accounts/two-factor/"
TOKEN = "/api/v1/auth/token/"
START = dt.datetime(2027, 3, 1, 2, 0, 10, tzinfo=dt.UTC)
REQUIRED = override_settings(TWO_FACTOR_REQUIRED_ROLES=["admin", "gm_office", "finance"])


def code_for(device: TOTPDevice, *, at: dt.datetime | None = None) -> str:
    """The 6 digits an authenticator app shows now (or at `at`)."""
    device.refresh_from_db()
    kwargs = {"t": at.timestamp()} if at else {}
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, **kwargs):06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = totp_device_start(user=user)
    return totp_device_confirm(user=user, code=code_for(device))


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def amy(clock):
    user = SalespersonFactory(username="amy", language="en")
    device, codes = enrol(user)
    clock.shift(dt.timedelta(seconds=30))  # the next time step: the enrolment code is used up
    return user, device, codes


def _password(client, username="amy", password="pw", url=LOGIN, next_url=None):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- enrolment ----------------------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_key_and_confirms_with_a_code(clock):
    user = SalespersonFactory(language="en")
    Token.objects.create(user=user)
    client = Client()
    client.force_login(user)
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "<path" in html
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', html).group(1)
    assert client.get(SETUP).content.decode().count(key) == 1  # a reload keeps the same key
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    from base64 import b32encode

    assert key.replace(" ", "") == b32encode(device.bin_key).decode()

    wrong = client.post(SETUP, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    user.refresh_from_db()
    assert not user.two_factor_enabled

    clock.shift(dt.timedelta(seconds=2))  # past the 1-second wait after the wrong code
    done = client.post(SETUP, {"code": code_for(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li class=\"col\">([A-Z0-9-]{14})</li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    user.refresh_from_db()
    device.refresh_from_db()
    assert user.two_factor_enabled and device.confirmed
    # stored hashed, never as typed
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()
    # a token obtained with the password alone is revoked
    assert not Token.objects.filter(user=user).exists()
    # the enrolling session stays signed in (it just proved the code)
    assert client.get("/").status_code == 200
    assert "On" in client.get(SETUP).content.decode()


def test_enrolment_page_is_in_chinese_for_a_chinese_user(clock):
    user = SalespersonFactory(language="zh-hant")
    client = Client()
    client.force_login(user)
    html = client.get(SETUP).content.decode()
    assert "設定兩步驟驗證" in html and "金鑰" in html


# --- signing in -----------------------------------------------------------------------------------------------------


def test_without_two_factor_the_password_signs_in(clock):
    SalespersonFactory(username="bob")
    client = Client()
    assert _password(client, "bob").status_code == 302
    assert _signed_in(client)


def test_with_two_factor_the_password_alone_signs_nobody_in(amy):
    client = Client()
    response = _password(client)
    assert response.status_code == 302 and response.url == CODE
    assert not _signed_in(client)
    assert client.get("/").status_code == 302  # home still sends to the login page
    assert client.get("/api/v1/me/").status_code == 403


def test_the_right_code_signs_in_and_goes_to_next(amy):
    user, device, _codes = amy
    client = Client()
    _password(client, next_url="/customers/")
    page = client.get(CODE)
    assert page.status_code == 200 and "authenticator app" in page.content.decode()
    response = client.post(CODE, {"code": code_for(device)})
    assert response.status_code == 302 and response.url == "/customers/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused(amy):
    _user, device, _codes = amy
    client = Client()
    _password(client)
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert not _signed_in(client)


def test_a_used_code_cannot_be_replayed(amy):
    _user, device, _codes = amy
    code = code_for(device)
    first = Client()
    _password(first)
    assert first.post(CODE, {"code": code}).status_code == 302
    second = Client()
    _password(second)
    response = second.post(CODE, {"code": code})  # the same code, in the same 30 seconds
    assert response.status_code == 200 and not _signed_in(second)


def test_an_older_code_is_refused_after_a_newer_one_was_used(amy, clock):
    _user, device, _codes = amy
    earlier = code_for(device)
    clock.shift(dt.timedelta(seconds=30))
    client = Client()
    _password(client)
    assert client.post(CODE, {"code": code_for(device)}).status_code == 302
    clock.shift(dt.timedelta(seconds=5))
    again = Client()
    _password(again)
    assert again.post(CODE, {"code": earlier}).status_code == 200  # within the app's tolerance, but older
    assert not _signed_in(again)


def test_guessing_codes_is_throttled_and_the_wait_doubles(amy, clock):
    _user, device, _codes = amy
    client = Client()
    _password(client)
    right = code_for(device)
    wrong = f"{(int(right) + 7) % 1_000_000:06d}"
    assert client.post(CODE, {"code": wrong}).status_code == 200
    throttled = client.post(CODE, {"code": right})  # even the right code, during the wait
    assert throttled.status_code == 429 and "Too many wrong codes" in throttled.content.decode()
    assert not _signed_in(client)
    clock.shift(dt.timedelta(seconds=1))
    assert client.post(CODE, {"code": wrong}).status_code == 200  # 2nd failure: wait 2 s
    clock.shift(dt.timedelta(seconds=1))
    assert client.post(CODE, {"code": right}).status_code == 429
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    # ten failures in a row: the device refuses everything for 2^9 = 512 s
    for _ in range(8):
        clock.shift(dt.timedelta(seconds=600))
        _password(client)  # the pending sign-in lasts 5 minutes: start it again
        assert client.post(CODE, {"code": wrong}).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 10
    clock.shift(dt.timedelta(seconds=500))
    _password(client)
    assert client.post(CODE, {"code": code_for(device)}).status_code == 429
    clock.shift(dt.timedelta(seconds=13))
    assert client.post(CODE, {"code": code_for(device)}).status_code == 302


def test_the_pending_sign_in_expires(amy, clock):
    _user, device, _codes = amy
    client = Client()
    _password(client)
    clock.shift(dt.timedelta(seconds=301))
    response = client.post(CODE, {"code": code_for(device)})
    assert response.status_code == 302 and response.url == LOGIN
    assert not _signed_in(client)


def test_the_code_page_without_a_password_first_goes_back_to_login(clock):
    response = Client().get(CODE)
    assert response.status_code == 302 and response.url == LOGIN


def test_a_recovery_code_signs_in_once(amy):
    user, _device, codes = amy
    client = Client()
    _password(client)
    assert client.post(CODE, {"code": codes[3].lower().replace("-", " ")}).status_code == 302  # as typed on a phone
    assert _signed_in(client)
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == 9
    again = Client()
    _password(again)
    response = again.post(CODE, {"code": codes[3]})
    assert response.status_code == 200 and not _signed_in(again)


def test_the_admin_login_asks_for_the_code_too(clock):
    boss = AdminFactory(username="boss")
    device, _codes = enrol(boss)
    clock.shift(dt.timedelta(seconds=30))
    client = Client()
    response = _password(client, "boss", url="/admin/login/", next_url="/admin/")
    assert response.status_code == 302 and response.url == CODE
    assert client.get("/admin/").status_code == 302
    assert client.post(CODE, {"code": code_for(device)}).url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_session_from_before_enrolment_is_signed_out(clock):
    user = SalespersonFactory()
    old = Client()
    old.force_login(user)
    assert old.get("/").status_code == 200
    enrol(user)  # on another device
    assert old.get("/").status_code == 302
    assert not _signed_in(old)


def test_the_devices_secret_is_not_in_the_admin():
    assert not admin.site.is_registered(TOTPDevice)


# --- policy by role -------------------------------------------------------------------------------------------------


@REQUIRED
@pytest.mark.parametrize("factory", [GMFactory, AdminFactory, FinanceFactory])
def test_a_required_role_reaches_no_page_before_enrolling(factory, clock):
    user = factory(language="en")
    client = Client()
    client.force_login(user)
    for url in ("/", "/customers/", "/sales/contracts/", "/reports/evaluations/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == SETUP, url
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    assert client.get(SETUP).status_code == 200
    assert "Your role requires two-factor" in client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert client.post(SETUP, {"code": code_for(device)}).status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


@REQUIRED
def test_salespeople_may_choose(clock, salesperson):
    client = Client()
    client.force_login(salesperson)
    assert client.get("/").status_code == 200


# --- API tokens -----------------------------------------------------------------------------------------------------


def _token(client, otp=None, username="amy"):
    data = {"username": username, "password": "pw"}
    if otp is not None:
        data["otp"] = otp
    return client.post(TOKEN, data, format="json")


def test_token_endpoint_needs_the_code_of_a_two_factor_user(amy, clock):
    _user, device, codes = amy
    client = APIClient()
    missing = _token(client)
    assert missing.status_code == 400
    assert missing.json()["code"] == "otp_required" and "otp" in missing.json()
    right = code_for(device)
    wrong = _token(client, f"{(int(right) + 3) % 1_000_000:06d}")
    assert wrong.status_code == 400 and wrong.json()["code"] == "otp_invalid"
    assert _token(client, right).status_code == 429  # the wrong code's 1-second wait
    device.throttling_failure_count = 0
    device.save()
    ok = _token(client, right)
    assert ok.status_code == 200 and ok.json()["token"]
    replay = _token(client, right)
    assert replay.status_code == 400 and replay.json()["code"] == "otp_invalid"
    clock.shift(dt.timedelta(seconds=1))  # the replay counted as a wrong code
    assert _token(client, codes[0]).status_code == 200  # a recovery code, once
    clock.shift(dt.timedelta(seconds=60))
    assert _token(client, codes[0]).status_code == 400


@REQUIRED
def test_token_endpoint_refuses_a_required_role_that_has_not_enrolled(clock):
    gina = GMFactory(username="gina")
    response = _token(APIClient(), username="gina")
    assert response.status_code == 403 and response.json()["code"] == "two_factor_required"
    # a token issued before the requirement is refused too, until she enrols (which revokes it)
    token = Token.objects.create(user=gina)
    old = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    refused = old.get("/api/v1/me/")
    assert refused.status_code == 403 and refused.json()["code"] == "two_factor_required"
    with override_settings(TWO_FACTOR_REQUIRED_ROLES=[]):
        assert old.get("/api/v1/me/").status_code == 200


# --- turning it off, new codes, the admin's reset -------------------------------------------------------------------


def test_disable_needs_the_password(amy):
    user, device, _codes = amy
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    refused = client.post("/accounts/two-factor/disable/", {"disable-password": "nope"})
    assert refused.status_code == 400 and "password is not right" in refused.content.decode()
    user.refresh_from_db()
    assert user.two_factor_enabled
    assert client.post("/accounts/two-factor/disable/", {"disable-password": "pw"}).status_code == 302
    user.refresh_from_db()
    assert not user.two_factor_enabled
    assert not TOTPDevice.objects.filter(user=user).exists() and not RecoveryCode.objects.filter(user=user).exists()
    assert _password(Client()).url == "/"  # the password alone again


def test_new_recovery_codes_replace_the_old_ones(amy):
    user, device, old_codes = amy
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = client.post("/accounts/two-factor/recovery-codes/", {"regen-password": "pw"})
    new_codes = re.findall(r"<li class=\"col\">([A-Z0-9-]{14})</li>", response.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    other = Client()
    _password(other)
    assert other.post(CODE, {"code": old_codes[0]}).status_code == 200
    assert other.post(CODE, {"code": new_codes[0]}).status_code == 429  # the failure's 1-second wait first


def test_an_admin_resets_a_users_device_from_the_user_list(amy, clock):
    user, _device, _codes = amy
    api_token_obtain(user=user)
    boss = AdminFactory(is_staff=True)
    client = Client()
    client.force_login(boss)
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [user.pk]}, follow=True
    )
    assert response.status_code == 200 and "reset for 1 user" in response.content.decode()
    change = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert change.status_code == 200 and "two_factor_enabled" in change.content.decode()
    user.refresh_from_db()
    assert not user.two_factor_enabled and not TOTPDevice.objects.filter(user=user).exists()
    assert not Token.objects.filter(user=user).exists()
    assert _password(Client()).url == "/"


def test_only_an_admin_may_reset(amy):
    user, _device, _codes = amy
    with pytest.raises(PermissionDenied):
        two_factor_reset(actor=SalespersonFactory(), user=user)


# --- query counts and the schema ------------------------------------------------------------------------------------


def test_the_two_factor_pages_take_a_few_queries(amy, django_assert_max_num_queries):
    _user, device, _codes = amy
    fresh = SalespersonFactory()
    client = Client()
    client.force_login(fresh)
    with django_assert_max_num_queries(8):
        assert client.get(SETUP).status_code == 200  # enrolment: the QR code and the key
    signed = Client()
    _password(signed)
    with django_assert_max_num_queries(2):
        assert signed.get(CODE).status_code == 200
    signed.post(CODE, {"code": code_for(device)})
    with django_assert_max_num_queries(6):
        assert signed.get(SETUP).status_code == 200  # two-factor on: codes left, forms


def test_the_token_endpoint_documents_otp_and_the_two_factor_refusal():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "otp" in schema["components"]["schemas"][body]["properties"]
    assert "two_factor_required" in operation["responses"]["403"]["description"]
    assert "otp_throttled" in operation["responses"]["429"]["description"]
