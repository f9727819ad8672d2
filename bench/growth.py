"""Growth benchmark: every endpoint of bench/endpoints.py (and the navbar search) on two generated databases, a small
and a big one, generated once and then measured as often as needed (before and after a fix) without regenerating.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_g1  python bench/growth.py generate 1
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_g10 python bench/growth.py generate 10
    DATABASE_URL=...crm_bench_g1  python bench/growth.py measure --out var/bench/growth-g1.json
    DATABASE_URL=...crm_bench_g10 python bench/growth.py measure --out var/bench/growth-g10.json
    python bench/growth.py compare var/bench/growth-g1.json var/bench/growth-g10.json

`generate` TRUNCATEs (bench/dashboard.py's generate: 1.0 = 100,000 customers, ~250,000 contracts, 1,000,000 order
lines), rebuilds the summary tables and VACUUM ANALYZEs; `measure` only reads. Both refuse a database whose name
does not contain "bench". The growth goal (issue 17) is big/small ≤ 1.3 for list pages and dashboards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from bench.dashboard import generate, log  # noqa: E402
from bench.endpoints import measure as measure_endpoints  # noqa: E402
from bench.names import MISSPELLINGS  # noqa: E402
from customers.models import Customer  # noqa: E402
from sales.models import Contract, ContractLine  # noqa: E402
from workspace.search import find_anything  # noqa: E402


def sizes() -> dict[str, int]:
    # Exact counts: run once per measurement, never on a request.
    return {
        "customers": Customer.objects.count(),
        "contracts": Contract.objects.count(),
        "order_lines": ContractLine.objects.count(),
    }


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[max(0, round(q * len(values)) - 1)], 2)


def measure_search(repeat: int) -> list[dict]:
    """bench/search.py's navbar search (find_anything) with its misspelt queries, on this data set's users."""
    gm = User.objects.get(username="bgm")
    salesperson = User.objects.filter(role=Role.SALESPERSON).order_by("id").first()
    rows = []
    for label, user in (("navbar search (find_anything), GM", gm), ("navbar search, salesperson", salesperson)):
        find_anything(user=user, query=MISSPELLINGS[0]["query"])  # warm
        timings = []
        for case in MISSPELLINGS:
            for _ in range(repeat):
                t0 = time.perf_counter()
                find_anything(user=user, query=case["query"])
                timings.append((time.perf_counter() - t0) * 1000)
        rows.append(
            {
                "endpoint": label,
                "n": len(timings),
                "p50_ms": pct(timings, 0.5),
                "p95_ms": pct(timings, 0.95),
                "rps": round(1000 / statistics.mean(timings), 1),
            }
        )
    return rows


def load() -> str:
    """The load average (1, 5, 15 minutes): the machine is shared, so every number is read beside it."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def check_bench() -> str:
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to run on database {name!r}; point DATABASE_URL at a *bench* database")
    return name


def cmd_generate(scale: float) -> None:
    name = check_bench()
    log(f"{name}: migrating")
    call_command("migrate", verbosity=0)
    log(f"{name}: generating scale {scale}")
    counts = generate(scale)
    log(f"generated: {counts}")
    from reports.services import summary_refresh

    t0 = time.monotonic()
    summary_refresh()
    log(f"summary refresh: {time.monotonic() - t0:.1f}s")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    log(f"sizes {sizes()}")


def cmd_measure(requests: int, search_repeat: int, out: str, only: str, skip: str = "") -> None:
    name = check_bench()
    call_command("migrate", verbosity=0)  # a fix's index migration, applied to the data already generated
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    report: dict = {"database": name, "sizes": sizes(), "requests": requests, "load_before": load()}
    log(f"{name}: sizes {report['sizes']}, load {report['load_before']}")
    rows = measure_endpoints(requests, only=only, skip=skip)
    if not only:
        rows += measure_search(search_repeat)
    report["results"] = rows
    report["load_after"] = load()
    print(f"\n  {'endpoint':<40}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}")
    for r in rows:
        if r["p50_ms"] is None:
            print(f"  {r['endpoint']:<40}{'n/a':>9}")
        else:
            print(f"  {r['endpoint']:<40}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['rps']:>8.1f}")
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    log(f"load {report['load_after']}; written to {path}")


def _best_of(paths: str) -> dict:
    """Several runs of one database (comma-separated files) folded into one: per endpoint the lowest p50 and p95
    (the run least disturbed by the rest of a shared machine), with each run's load."""
    runs = [json.loads(Path(p).read_text()) for p in paths.split(",")]
    best: dict[str, dict] = {}
    for run in runs:
        for r in run["results"]:
            if not r["p50_ms"]:
                continue
            b = best.setdefault(r["endpoint"], dict(r))
            b["p50_ms"], b["p95_ms"] = min(b["p50_ms"], r["p50_ms"]), min(b["p95_ms"], r["p95_ms"])
    loads = "; ".join(f"{r['load_before']} → {r['load_after']}" for r in runs)
    return {"sizes": runs[0]["sizes"], "loads": loads, "runs": len(runs), "results": list(best.values())}


def cmd_compare(small_paths: str, big_paths: str) -> None:
    small, big = _best_of(small_paths), _best_of(big_paths)
    by_label = {r["endpoint"]: r for r in big["results"]}
    print(f"small {small['sizes']}, best of {small['runs']} runs, load {small['loads']}")
    print(f"big   {big['sizes']}, best of {big['runs']} runs, load {big['loads']}\n")
    print("| scenario | p50 small | p95 small | p50 big | p95 big | growth p50 | growth p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for a in small["results"]:
        b = by_label.get(a["endpoint"])
        if not b:
            continue
        g50, g95 = b["p50_ms"] / a["p50_ms"], b["p95_ms"] / a["p95_ms"]
        flag = " ⚠" if g50 > 1.3 else ""
        print(
            f"| {a['endpoint']} | {a['p50_ms']:.1f} | {a['p95_ms']:.1f} | {b['p50_ms']:.1f} | {b['p95_ms']:.1f} "
            f"| {g50:.2f}×{flag} | {g95:.2f}× |"
        )


def cmd_explain(top: int, only: str, out: str, skip: str = "") -> None:
    """Each scenario's queries (one request, as its user), each EXPLAIN (ANALYZE, BUFFERS)ed; the slowest `top`
    by execution time, with their plans, to stdout and `out`."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench.endpoints import STORAGES, scenarios

    check_bench()
    users = {
        "gm": User.objects.get(username="bgm"),
        "mgr": User.objects.filter(role=Role.MANAGER).order_by("id").first(),
        "sp": User.objects.filter(role=Role.SALESPERSON).order_by("id").first(),
    }
    found = []
    totals: dict[str, dict] = {}
    for label, role, url, cache in scenarios():
        if url.startswith("/healthz") or (only and only not in label) or (skip and skip in label):
            continue
        with override_settings(ALLOWED_HOSTS=["*"], STORAGES=STORAGES, REPORTS_DASHBOARD_CACHE_SECONDS=cache):
            client = Client()
            client.force_login(users[role])
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
        for q in ctx.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cur:
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [r[0] for r in cur.fetchall()]
            ms = float(plan[-1].split(":")[1].split("ms")[0])
            found.append((ms, label, url, sql, plan))
        total = sum(f[0] for f in found if f[1] == label)
        totals[label] = {"queries": len(ctx.captured_queries), "db_ms": round(total, 2)}
        log(f"{label}: {len(ctx.captured_queries)} queries, {total:.1f} ms executing")
    found.sort(key=lambda f: -f[0])
    text = []
    for ms, label, url, sql, plan in found[:top]:
        text.append(f"=== {ms:.1f} ms — {label} ({url})\n{sql}\n\n" + "\n".join(plan) + "\n")
    report = "\n".join(text)
    print(report)
    if out:
        Path(out).with_suffix(".json").write_text(json.dumps(totals, indent=2, ensure_ascii=False))
        head = f"database {settings.DATABASES['default']['NAME']}, sizes {sizes()}, load {load()}"
        Path(out).write_text(f"{head}\n\n{report}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("scale", type=float)
    m = sub.add_parser("measure")
    m.add_argument("--requests", type=int, default=30)
    m.add_argument("--search-repeat", type=int, default=1)
    m.add_argument("--only", default="", help="only the endpoints whose label contains this text")
    m.add_argument("--skip", default="", help="leave out the endpoints whose label contains this text")
    m.add_argument("--out", default=str(ROOT / "var" / "bench" / "growth.json"))
    e = sub.add_parser("explain")
    e.add_argument("--top", type=int, default=3)
    e.add_argument("--only", default="")
    e.add_argument("--skip", default="")
    e.add_argument("--out", default="")
    c = sub.add_parser("compare")
    c.add_argument("small", help="the small database's measure files, comma-separated")
    c.add_argument("big", help="the big database's measure files, comma-separated")
    args = parser.parse_args()
    if args.cmd == "generate":
        cmd_generate(args.scale)
    elif args.cmd == "measure":
        cmd_measure(args.requests, args.search_repeat, args.out, args.only, args.skip)
    elif args.cmd == "explain":
        cmd_explain(args.top, args.only, args.out, args.skip)
    else:
        cmd_compare(args.small, args.big)


if __name__ == "__main__":
    main()
