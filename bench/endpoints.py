"""`make bench`: each endpoint's throughput as a ratio to a hello-world view through the same stack, with p50/p95,
at two data sizes (to show growth), written to var/bench.json (CI keeps it as an artifact).

    BENCH_SCALES=0.01,0.05 BENCH_REQUESTS=30 python bench/endpoints.py

A scale is a fraction of bench/dashboard.py's company (1.0 = 100,000 customers, ~250,000 contracts, 1,000,000
order lines). The defaults keep a run to a few minutes on two cores; BENCH_SCALES=0.1,1 is the issue's pair.
The hello-world view is /healthz/live requested by the same signed-in client through the same middleware, each of
its requests paired with one of the endpoint's (so load drifting during the run moves both sides alike): a ratio of
0.30 means the endpoint serves 30 % of the requests per second the bare stack can. "CPU ratio" is the same by the
Django process's CPU time (steadier on a shared machine; the database's work counts in the wall-clock ratio only).
It TRUNCATEs the CRM's tables: it refuses to run unless the database name contains "bench".
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from bench.dashboard import generate, log  # noqa: E402
from customers.models import Customer  # noqa: E402
from sales.models import Contract, ContractLine  # noqa: E402

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def scenarios() -> list[tuple[str, str, str, int]]:
    """(label, role, url, dashboard cache seconds)."""
    return [
        ("hello world (/healthz/live)", "gm", "/healthz/live", 0),
        ("customers API list", "gm", "/api/v1/customers/", 0),
        ("customers API list, salesperson", "sp", "/api/v1/customers/", 0),
        ("contracts API list", "gm", "/api/v1/contracts/", 0),
        ("contracts API list, salesperson", "sp", "/api/v1/contracts/", 0),
        ("customers page", "gm", "/customers/", 0),
        ("contracts page", "gm", "/sales/contracts/", 0),
        ("dashboard API, recomputed", "gm", "/api/v1/dashboard/?period=month", 0),
        ("dashboard API, cached", "gm", "/api/v1/dashboard/?period=month", 120),
        ("inbox, manager", "mgr", "/inbox/", 0),
        ("search (navbar), homophone", "gm", "/search/?q=大童紡織", 0),
        ("customers API ?search=", "gm", "/api/v1/customers/?search=程氏實業", 0),
    ]


def _timed(client: Client, url: str) -> tuple[float, float]:
    """(wall ms, CPU ms of this process) of one request; the database's own CPU shows in the wall time only."""
    t0, c0 = time.perf_counter(), time.process_time()
    response = client.get(url)
    wall, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    assert response.status_code == 200, url
    return wall, cpu


def _row(label: str, url: str, timings: list[float], cpu: list[float]) -> dict:
    timings = sorted(timings)
    return {
        "endpoint": label,
        "url": url,
        "n": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, round(0.95 * len(timings)) - 1)], 2),
        "rps": round(1000 / statistics.mean(timings), 1),
        "cpu_ms": round(statistics.median(cpu), 2),
    }


def measure(requests: int, only: str = "", skip: str = "") -> list[dict]:
    """Each endpoint `requests` times, each request paired with a hello-world request just before it (same client,
    same middleware): an endpoint's ratio is the paired hello-world's mean time over its own, so a machine whose load
    drifts during the run (other processes on two cores) moves both sides of each ratio alike. `cpu_ratio` is the
    same ratio by this process's CPU time (the Django side only, steadier; the database's work is in the wall time).
    `only` keeps the scenarios whose label contains it, `skip` leaves out those whose label contains it."""
    users = {
        "gm": User.objects.get(username="bgm"),
        "mgr": User.objects.filter(role=Role.MANAGER).order_by("id").first(),
        "sp": User.objects.filter(role=Role.SALESPERSON).order_by("id").first(),
    }
    hello_url = scenarios()[0][2]
    rows = []
    all_hello: tuple[list[float], list[float]] = ([], [])
    for label, role, url, cache in scenarios()[1:]:
        if (only and only not in label) or (skip and skip in label):
            continue
        with override_settings(ALLOWED_HOSTS=["*"], STORAGES=STORAGES, REPORTS_DASHBOARD_CACHE_SECONDS=cache):
            client = Client()
            client.force_login(users[role])
            if client.get(url).status_code == 404:  # not in this version (a "before" run on older code)
                rows.append({"endpoint": label, "url": url, "n": 0, "p50_ms": None, "p95_ms": None, "rps": None})
                continue
            for _ in range(2):
                assert client.get(url).status_code == 200, url
                assert client.get(hello_url).status_code == 200, hello_url
            hello: tuple[list[float], list[float]] = ([], [])
            own: tuple[list[float], list[float]] = ([], [])
            for _ in range(requests):
                for side, target in ((hello, hello_url), (own, url)):
                    wall, cpu = _timed(client, target)
                    side[0].append(wall)
                    side[1].append(cpu)
        row = _row(label, url, *own)
        row["ratio"] = round(statistics.mean(hello[0]) / statistics.mean(own[0]), 3)
        row["cpu_ratio"] = round(statistics.median(hello[1]) / max(row["cpu_ms"], 0.01), 3)
        rows.append(row)
        all_hello[0].extend(hello[0])
        all_hello[1].extend(hello[1])
    head = _row(scenarios()[0][0], hello_url, *all_hello)
    head["ratio"] = head["cpu_ratio"] = 1.0
    return [head, *rows]


def main() -> None:
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to TRUNCATE database {name!r}; point DATABASE_URL at a *bench* database")
    scales = [float(s) for s in os.environ.get("BENCH_SCALES", "0.01,0.05").split(",")]
    requests = int(os.environ.get("BENCH_REQUESTS", "30"))
    call_command("migrate", verbosity=0)
    report: dict = {"database": name, "requests_per_endpoint": requests, "runs": []}
    for scale in scales:
        log(f"generating scale {scale}")
        generate(scale)
        from reports.services import summary_refresh

        summary_refresh()
        sizes = {
            "customers": Customer.objects.count(),
            "contracts": Contract.objects.count(),
            "order_lines": ContractLine.objects.count(),
        }
        log(f"sizes {sizes}; measuring {requests} requests per endpoint")
        rows = measure(requests)
        report["runs"].append({"scale": scale, "sizes": sizes, "results": rows})
        print(f"\n  {'endpoint':<36}{'ratio':>7}{'CPU ratio':>10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}")
        for r in rows:
            if r["rps"] is None:
                print(f"  {r['endpoint']:<36}{'n/a':>7}")
                continue
            print(
                f"  {r['endpoint']:<36}{r['ratio']:>7.3f}{r['cpu_ratio']:>10.3f}{r['rps']:>8.1f}"
                f"{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
            )
        print()
    if len(report["runs"]) >= 2:
        small, big = report["runs"][0]["results"], report["runs"][-1]["results"]
        report["growth_p50"] = {  # an endpoint missing from this version has no growth
            a["endpoint"]: round(b["p50_ms"] / a["p50_ms"], 2)
            for a, b in zip(small, big, strict=True)
            if a["p50_ms"] and b["p50_ms"]
        }
        log("p50 growth from the smaller to the larger size: " + ", ".join(
            f"{k} ×{v}" for k, v in report["growth_p50"].items()))  # fmt: skip
    out = Path(os.environ.get("BENCH_OUT", ROOT / "var" / "bench.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    log(f"written to {out}")


if __name__ == "__main__":
    main()
