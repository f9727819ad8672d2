import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _language():
    """A page asked in Chinese leaves the thread's language active: give the next test the one it started with."""
    before = translation.get_language()
    yield
    translation.activate(before)
