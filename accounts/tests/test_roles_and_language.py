import pytest
from django.contrib.auth.models import Group

from accounts.models import Role, User
from accounts.services import user_create, user_set_language, user_set_role
from core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_with_permissions():
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions")}
    assert set(Role.values) <= set(groups)
    sales_perms = {p.codename for p in groups["salesperson"].permissions.all()}
    assert "add_customer" in sales_perms and "view_contract" in sales_perms
    assert "delete_customer" not in sales_perms
    assert "change_user" not in sales_perms
    assert "change_user" in {p.codename for p in groups["admin"].permissions.all()}


def test_user_create_puts_user_in_exactly_one_role_group(unit):
    user = user_create(username="amy", password="pw12345!x", role=Role.MANAGER, unit=unit)
    assert list(user.groups.values_list("name", flat=True)) == ["manager"]
    assert not user.is_staff
    user_set_role(user=user, role=Role.ADMIN)
    assert list(user.groups.values_list("name", flat=True)) == ["admin"]
    assert user.is_staff
    assert user.has_perm("accounts.change_user")


def test_user_create_refuses_taken_username_and_unknown_role(unit):
    user_create(username="bob", password="pw12345!x", role=Role.SALESPERSON, unit=unit)
    with pytest.raises(ApplicationError) as err:
        user_create(username="BOB", password="pw12345!x", role=Role.SALESPERSON, unit=unit)
    assert err.value.field == "username"
    with pytest.raises(ApplicationError) as err:
        user_create(username="carl", password="x", role="boss", unit=unit)
    assert err.value.field == "role"
    assert not User.objects.filter(username="carl").exists()


def test_language_preference_is_saved_and_used(client, salesperson):
    client.force_login(salesperson)
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    salesperson.refresh_from_db()
    assert salesperson.language == "zh-hant"
    page = client.get("/")
    assert page.headers["Content-Language"] == "zh-hant"
    assert "您好" in page.content.decode()


def test_language_switch_ignores_unknown_language_and_foreign_redirects(client, salesperson):
    client.force_login(salesperson)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example.com/"})
    assert response.url == "/"
    salesperson.refresh_from_db()
    assert salesperson.language == "en"
    with pytest.raises(ApplicationError):
        user_set_language(user=salesperson, language="fr")


def test_anonymous_language_switch_sets_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/accounts/login/"})
    assert response.cookies["django_language"].value == "zh-hant"
    assert "登入" in client.get("/accounts/login/").content.decode()
