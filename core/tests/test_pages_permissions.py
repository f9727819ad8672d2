"""Who may open each platform page and endpoint."""

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["salesperson", "manager", "gm", "finance", "admin_user"]


@pytest.mark.parametrize("path", ["/", "/accounts/password/"])
def test_pages_need_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/units/", "/api/schema/", "/api/docs/"])
def test_api_needs_authentication(api_client, path):
    assert api_client.get(path).status_code in (401, 403)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_home_password_and_api_docs(request, client, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    for path in ["/", "/accounts/password/", "/api/docs/", "/api/schema/"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", ["salesperson", "manager", "gm", "finance"])
def test_only_admins_reach_the_django_admin(request, client, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_admin_reaches_the_django_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_units_endpoint_scope(api_client, salesperson, manager, gm, other_unit, unit):
    api_client.force_authenticate(salesperson)
    assert [u["id"] for u in api_client.get("/api/v1/units/").json()["results"]] == [unit.id]
    assert api_client.get(f"/api/v1/units/{other_unit.id}/").status_code == 404
    api_client.force_authenticate(gm)
    ids = {u["id"] for u in api_client.get("/api/v1/units/").json()["results"]}
    assert {unit.id, other_unit.id} <= ids


def test_me_endpoint(api_client, manager):
    api_client.force_authenticate(manager)
    body = api_client.get("/api/v1/me/").json()
    assert body["username"] == manager.username
    assert body["role"] == "manager"
    assert body["unit"]["id"] == manager.unit_id


def test_token_authentication(api_client, salesperson):
    bad = api_client.post("/api/v1/auth/token/", {"username": salesperson.username, "password": "wrong"})
    assert bad.status_code == 400
    token = api_client.post("/api/v1/auth/token/", {"username": salesperson.username, "password": "pw"}).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").json()["username"] == salesperson.username
