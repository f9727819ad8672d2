"""Static assets as `make run` and production serve them: collected with hashed names, compressed, cached for a
year; ECharts (1 MB) only on the pages that draw charts."""

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

PRODUCTION_LIKE = {
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "core.staticfiles.HashedStaticFilesStorage"},
    },
    "WHITENOISE_USE_FINDERS": False,
    "WHITENOISE_AUTOREFRESH": False,
    "DEBUG": True,  # as under `make run`: names are hashed all the same
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, **PRODUCTION_LIKE):
        call_command("collectstatic", "--noinput", "-v", "0")  # the storage follows the settings (setting_changed)
    return root


def test_echarts_is_hashed_compressed_and_cached_for_a_year(collected):
    with override_settings(STATIC_ROOT=collected, **PRODUCTION_LIKE):
        url = static("vendor/echarts/echarts.min.js")
        assert url != "/static/vendor/echarts/echarts.min.js" and url.endswith(".js"), "hashed name"
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] in {"gzip", "br"}
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=315360000" in response.headers["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert len(body) < 600_000, "served compressed"


def test_echarts_only_on_pages_with_charts(client, gm):
    client.force_login(gm)
    assert "echarts" not in client.get("/").content.decode()
    assert "echarts" not in client.get("/customers/").content.decode()
    assert "echarts" in client.get("/reports/").content.decode()
