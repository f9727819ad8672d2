"""Demo customers, contacts and a few months of contact logs."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from .models import Contact, ContactKind, ContactLog, Customer, CustomerStatus, CustomerTier, MemberLevel
from .services import customer_register

PREFIXES = [
    "台灣",
    "新竹",
    "台中",
    "高雄",
    "永豐",
    "宏達",
    "大同",
    "正新",
    "華新",
    "聯合",
    "東元",
    "三陽",
    "國泰",
    "長興",
    "建華",
]
TRADES = [
    ("機械", "Machinery"),
    ("電子", "Electronics"),
    ("化工", "Chemicals"),
    ("營造", "Construction"),
    ("食品", "Foods"),
    ("紡織", "Textiles"),
]
EN_NAMES = [
    "Acme Trading",
    "Pacific Rim Supply",
    "Formosa Components",
    "Harbor Logistics",
    "Evergreen Tooling",
    "Sunrise Foods",
]
REGIONS = ["北區", "中區", "南區", "東區"]
CONTACT_NAMES = ["林經理", "張採購", "陳副理", "黃廠長", "Mr. Smith", "Ms. Wang"]
PURPOSES = ["產品介紹", "報價跟進", "售後回訪", "催收貨款", "新品試用"]
RENEW_IN = (-20, 20, 200)  # demo members: lapsed, renewal due (reminded), active
OUTCOMES = ["客戶有興趣，需再報價", "已確認訂單數量", "對價格有疑慮", "滿意目前使用狀況", "要求提供樣品"]


def run(*, people) -> list[Customer]:
    rng = random.Random(20261125)
    now = timezone.now()
    customers: list[Customer] = []
    gold = MemberLevel.objects.get_or_create(name="金卡")[0]
    n = 0
    for sp in people.salespeople:
        for i in range(8):
            n += 1
            tax_id = f"{80000000 + n * 137:08d}"
            if i == 7:
                name = f"{EN_NAMES[n % len(EN_NAMES)]} Co., Ltd. #{n}"
                short = EN_NAMES[n % len(EN_NAMES)]
                industry = "Trading"
            else:
                zh, _en = TRADES[(n + i) % len(TRADES)]
                prefix = PREFIXES[n % len(PREFIXES)]
                name = f"{prefix}{zh}股份有限公司{n}廠"
                short = f"{prefix}{zh}{n}"
                industry = zh
            existing = Customer.objects.filter(tax_id=tax_id).first()
            created = existing is None
            if existing is not None:
                customer = existing
            else:
                # Registered through the 備案 service so the demo customers hold their registration keys.
                customer = customer_register(
                    actor=people.others["gm"],
                    owner=sp,
                    registered_at=now - dt.timedelta(days=120 + n),
                    source="seed",
                    data=dict(
                        name=name,
                        tax_id=tax_id,
                        short_name=short,
                        phone=f"02-2{n:03d}-{rng.randint(1000, 9999)}",
                        region=REGIONS[n % len(REGIONS)],
                        industry=industry,
                        source=rng.choice(["展覽", "轉介紹", "網站", "Cold call"]),
                        status=rng.choice(
                            [CustomerStatus.ACTIVE] * 4 + [CustomerStatus.PROSPECT, CustomerStatus.DORMANT]
                        ),
                        tier=CustomerTier.MEMBER if i % 3 == 0 else CustomerTier.ORDINARY,
                        member_level=gold if i % 3 == 0 else None,
                        member_since=(now - dt.timedelta(days=300 + 40 * i)).date() if i % 3 == 0 else None,
                        # members lapsed 20 days ago, renewing in 20 days (reminded) or in 200 days: the card shows each
                        member_renews_on=(now + dt.timedelta(days=RENEW_IN[n % 3])).date() if i % 3 == 0 else None,
                        credit_rating=rng.choice(["A", "B", "C"]),
                        credit_limit=Decimal(rng.choice([200000, 500000, 1000000, 2000000])),
                        is_trusted=i % 4 == 0,
                    ),
                )
            customers.append(customer)
            if created:
                contact = Contact.objects.create(
                    customer=customer,
                    name=CONTACT_NAMES[n % len(CONTACT_NAMES)],
                    title="採購經理",
                    phone=f"+8869{rng.randint(10000000, 99999999)}",
                    is_primary=True,
                )
                logs = []
                for _k in range(rng.randint(2, 6)):
                    happened = now - dt.timedelta(days=rng.randint(0, 110), hours=rng.randint(0, 8))
                    next_date = (happened + dt.timedelta(days=rng.randint(3, 21))).date()
                    logs.append(
                        ContactLog(
                            customer=customer,
                            author=sp,
                            contact=contact,
                            kind=rng.choice(ContactKind.values),
                            happened_at=happened,
                            purpose=rng.choice(PURPOSES),
                            outcome=rng.choice(OUTCOMES),
                            next_step=rng.choice(["寄送報價單", "安排拜訪", "電話確認需求", "催收尾款"]),
                            next_step_date=next_date,
                        )
                    )
                ContactLog.objects.bulk_create(logs)
    return customers
