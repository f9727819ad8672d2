import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Files of a test go to its own folder (local storage through Django's storage API)."""
    settings.MEDIA_ROOT = tmp_path / "media"
