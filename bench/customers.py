"""Benchmark of the customer list and search: load N customers (default 100,000), then time the pages and API.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_customers
    python bench/customers.py                # load (once) and measure
    python bench/customers.py --count 20000  # a smaller book
    python bench/customers.py --drop         # remove the benchmark rows

Runs in-process through Django's test client against the real PostgreSQL database (no web server), so the
numbers are view + ORM + SQL + template time, without network. Reports median and p95 over repeated requests
and the number of SQL queries per request. Benchmark rows are tagged source="bench" and owned by bench users.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, SalesUnit, User  # noqa: E402
from customers.identity import identity_keys, phone_digits, search_key  # noqa: E402
from customers.models import ContactLog, Customer, CustomerIdentity, MemberLevel  # noqa: E402

PREFIXES = (
    "台灣 新竹 台中 高雄 永豐 宏達 大同 正新 華新 聯合 東元 三陽 國泰 長興 建華 中華 南亞 遠東 太平洋 亞洲".split()
)
TRADES = "機械 電子 化工 營造 食品 紡織 精密 光電 塑膠 鋼鐵 材料 物流 貿易 科技 醫材".split()
EN_A = "Formosa Pacific Harbor Evergreen Sunrise Acme Apex Summit Golden Jade Dragon Lotus Orient".split()
EN_B = "Components Trading Logistics Tooling Foods Machinery Electronics Plastics Materials Supply".split()
REGIONS = ["北區", "中區", "南區", "東區"]
N_UNITS = 6
PER_UNIT = 10


def bench_people():
    units, people = [], []
    for u in range(N_UNITS):
        unit, _ = SalesUnit.objects.get_or_create(code=f"bench{u}", defaults={"name": f"效能測試{u}部"})
        units.append(unit)
        manager, _ = User.objects.get_or_create(
            username=f"bench_mgr{u}", defaults={"role": Role.MANAGER, "unit": unit, "full_name": f"測試主管{u}"}
        )
        if unit.manager_id is None:
            unit.manager = manager
            unit.save(update_fields=["manager"])
        for s in range(PER_UNIT):
            person, _ = User.objects.get_or_create(
                username=f"bench_s{u}_{s}",
                defaults={"role": Role.SALESPERSON, "unit": unit, "full_name": f"測試業務{u}-{s}"},
            )
            people.append(person)
    gm, _ = User.objects.get_or_create(
        username="bench_gm", defaults={"role": Role.GM_OFFICE, "full_name": "測試總經辦"}
    )
    return units, people, gm


def load(count: int) -> None:
    have = Customer.objects.filter(source="bench").count()
    if have >= count:
        print(f"{have:,} benchmark customers already loaded")
        return
    _units, people, _gm = bench_people()
    rng = random.Random(42)
    now = timezone.now()
    t0 = time.perf_counter()
    gold = MemberLevel.objects.get_or_create(name="金卡")[0]
    batch = 5000
    for start in range(have, count, batch):
        rows = []
        for n in range(start, min(count, start + batch)):
            if n % 4 == 0:
                name = f"{rng.choice(EN_A)} {rng.choice(EN_B)} {n} Co., Ltd."
                short = name.split(" Co.")[0]
            else:
                short = f"{rng.choice(PREFIXES)}{rng.choice(TRADES)}{n}"
                name = f"{short}股份有限公司"
            phone = f"+8862{20000000 + n:08d}"
            owner = rng.choice(people) if n % 50 else None
            c = Customer(
                name=name,
                short_name=short[:60],
                tax_id=f"{90000000 - n:08d}" if n % 3 else "",
                phone=phone,
                region=REGIONS[n % 4],
                industry=rng.choice(TRADES),
                source="bench",
                status=rng.choice(["prospect", "active", "active", "dormant", "lost"]),
                tier="member" if n % 7 == 0 else "ordinary",
                member_level=gold if n % 7 == 0 else None,
                credit_limit=rng.choice([0, 100000, 500000, 1000000]),
                owner=owner,
                unit_id=owner.unit_id if owner else None,
                registered_at=now,
                owned_since=now if owner else None,
                search_text=search_key(name, short),
                phone_digits=phone_digits(phone),
            )
            rows.append(c)
        with transaction.atomic():
            Customer.objects.bulk_create(rows)
            keys = []
            for c in rows:
                for kind, key in identity_keys(name=c.name, tax_id=c.tax_id, phone=c.phone).items():
                    keys.append(CustomerIdentity(customer=c, kind=kind, key=key))
            CustomerIdentity.objects.bulk_create(keys, ignore_conflicts=True)
            logs = []
            for c in rows:
                if c.owner_id and rng.random() < 0.8:
                    for _k in range(rng.randint(1, 3)):
                        logs.append(
                            ContactLog(
                                customer=c,
                                author_id=c.owner_id,
                                kind=rng.choice(["call", "visit", "message"]),
                                happened_at=now - dt.timedelta(days=rng.randint(0, 200)),
                                outcome="bench",
                            )
                        )
            ContactLog.objects.bulk_create(logs)
        print(f"  loaded {min(count, start + batch):,} customers", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer; ANALYZE customers_contactlog; ANALYZE customers_customeridentity")
    print(f"loaded in {time.perf_counter() - t0:.1f} s")


def drop() -> None:
    ids = Customer.objects.filter(source="bench").values("pk")
    ContactLog.objects.filter(customer__in=ids).delete()
    CustomerIdentity.objects.filter(customer__in=ids).delete()
    Customer.history.filter(source="bench").delete()
    print(Customer.objects.filter(source="bench").delete())


def measure(client: Client, url: str, params: dict, repeat: int) -> dict:
    times, queries = [], []
    client.get(url, params)  # warm up (templates, plans, connection)
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
        queries.append(len(ctx.captured_queries))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"median": statistics.median(times), "p95": p95, "queries": max(queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()
    if args.drop:
        drop()
        return
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    load(args.count)
    _units, people, gm = bench_people()
    manager = User.objects.get(username="bench_mgr0")
    salesperson = people[0]
    total = Customer.objects.count()
    print(f"\n{total:,} customers in the database; {ContactLog.objects.count():,} contact logs; repeat={args.repeat}\n")

    cases = [
        ("list page, GM (all)", gm, "/customers/", {}),
        ("list page, GM, 200 rows", gm, "/customers/", {"page_size": 200}),
        ("list page, GM, page 500", gm, "/customers/", {"page": 500}),
        ("list page, manager (unit)", manager, "/customers/", {}),
        ("list page, salesperson (own)", salesperson, "/customers/", {}),
        ("list, GM, sort by last contact", gm, "/customers/", {"sort": "-last_contact"}),
        ("list, GM, filter region+status", gm, "/customers/", {"region": "北區", "status": "active"}),
        ("search, GM, misspelt 'Formsa Compnents'", gm, "/customers/", {"q": "Formsa Compnents"}),
        ("search, GM, exact short name", gm, "/customers/", {"q": "台灣機械12345"}),
        ("search, GM, simplified '台湾精密'", gm, "/customers/", {"q": "台湾精密"}),
        ("search, GM, phone fragment", gm, "/customers/", {"q": "2004-2000"}),
        ("search, GM, tax number", gm, "/customers/", {"q": "89990001"}),
        ("search, salesperson, misspelt", salesperson, "/customers/", {"q": "Formsa Compnents"}),
        ("pool page, salesperson", salesperson, "/customers/pool/", {}),
        ("API list, GM (50)", gm, "/api/v1/customers/", {}),
        ("API list, GM (200)", gm, "/api/v1/customers/", {"page_size": 200}),
        ("API search, GM, misspelt", gm, "/api/v1/customers/", {"search": "Evergren Toolng"}),
    ]
    print(f"{'case':45} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    for label, user, url, params in cases:
        client = Client()
        client.force_login(user)
        result = measure(client, url, params, args.repeat)
        print(f"{label:45} {result['median']:10.1f} {result['p95']:10.1f} {result['queries']:8d}", flush=True)


if __name__ == "__main__":
    main()
