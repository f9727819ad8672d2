"""Container health checks (docker-compose.yml), without curl or a Django start-up:

    python scripts/healthcheck.py web    GET /healthz/ready on this container; healthy on 200
    python scripts/healthcheck.py beat   healthy when beat touched CELERY_BEAT_HEARTBEAT_FILE within
                                         BEAT_HEARTBEAT_MAX_AGE seconds (default 120; beat ticks every ≤ 5 s)

Exit status 0 = healthy, 1 = unhealthy (with the reason on stderr). The worker's check is Celery's own
`celery inspect ping` for its node, in docker-compose.yml."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def check_web() -> str | None:
    port = os.environ.get("PORT", "8000")
    # Django answers only to ALLOWED_HOSTS: ask as the first one that is a plain name.
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",")]
    host = next((h for h in hosts if h and h != "*"), "localhost")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz/ready", headers={"Host": host})
    try:
        timeout = float(os.environ.get("HEALTHCHECK_TIMEOUT", "5"))
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - a fixed http:// URL
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        return f"web: no answer ({exc.__class__.__name__})"
    return None if status == 200 else f"web: /healthz/ready answered {status}"


def check_beat() -> str | None:
    default = str(Path(tempfile.gettempdir()) / "crm-beat.alive")
    path = Path(os.environ.get("CELERY_BEAT_HEARTBEAT_FILE", default))
    max_age = float(os.environ.get("BEAT_HEARTBEAT_MAX_AGE", "120"))
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return f"beat: {path} does not exist (beat never ticked)"
    return None if age <= max_age else f"beat: last tick {age:.0f} s ago (more than {max_age:.0f} s)"


CHECKS = {"web": check_web, "beat": check_beat}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in CHECKS:
        print(f"usage: {argv[0]} {'|'.join(CHECKS)}", file=sys.stderr)
        return 2
    problem = CHECKS[argv[1]]()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
