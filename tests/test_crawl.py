"""Every link a user can reach from the home page, two clicks deep, answers without a server error.

Runs on the demo company (seed_demo) for each role and both languages; a cross-app guard against 500s.
"""

import io
import re
from collections import deque

import pytest
from django.core.management import call_command

from accounts.models import User

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/accounts/logout", "/admin/", "/static/", "/i18n/", "/api/")
ROLES = ["sales01", "mgr_north", "gm", "finance", "admin", "staff01"]
MAX_PAGES = 45


def crawl(client, language: str) -> tuple[set[str], list[tuple[str, int]]]:
    seen: set[str] = set()
    queue = deque([("/", 0)])
    failures = []
    while queue and len(seen) < MAX_PAGES:
        url, depth = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
            continue
        content_type = response.headers.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html") and depth < 2:
            html = response.content.decode()
            if f'<html lang="{language}">' not in html:
                failures.append((url, f"page not in {language}"))
            for link in HREF.findall(html):
                link = link.replace("&amp;", "&")
                if not link.startswith(SKIP) and link not in seen:
                    queue.append((link, depth + 1))
    return seen, failures


@pytest.mark.django_db
def test_no_link_leads_to_a_server_error(client):
    call_command("seed_demo", stdout=io.StringIO())
    for username in ROLES:
        for language in ("en", "zh-hant"):
            user = User.objects.get(username=username)
            user.language = language
            user.save(update_fields=["language"])
            client.force_login(user)
            seen, failures = crawl(client, language)
            assert not failures, (username, language, failures)
            assert len(seen) > 10, (username, seen)
