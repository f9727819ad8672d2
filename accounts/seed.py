"""Demo people and units."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Role, SalesUnit, User
from .services import user_create, user_set_role

UNITS = [
    ("north", "北區業務一部", "North Sales 1"),
    ("south", "南區業務部", "South Sales"),
    ("eng", "工程事業部", "Engineering Projects"),
]
MANAGERS = {"north": ("mgr_north", "陳志明"), "south": ("mgr_south", "Grace Lin 林美華"), "eng": ("mgr_eng", "黃建國")}
SALESPEOPLE = [
    ("sales01", "王小明", "north"),
    ("sales02", "李佳穎", "north"),
    ("sales03", "David Chang 張大衛", "north"),
    ("sales04", "吳俊傑", "north"),
    ("sales05", "劉怡君", "south"),
    ("sales06", "Kevin Tsai 蔡凱文", "south"),
    ("sales07", "楊淑芬", "south"),
    ("sales08", "許家豪", "south"),
    ("sales09", "鄭雅婷", "eng"),
    ("sales10", "Amy Hsu 徐安美", "eng"),
    ("sales11", "謝宗翰", "eng"),
    ("sales12", "郭志偉", "eng"),
]
OTHERS = [
    ("gm", "總經辦 周總", Role.GM_OFFICE),
    ("finance", "財務 蘇會計", Role.FINANCE),
    ("admin", "系統管理員", Role.ADMIN),
    ("staff01", "Tom Ho 何湯姆", Role.STAFF),
]


@dataclass
class DemoPeople:
    units: dict[str, SalesUnit] = field(default_factory=dict)
    managers: dict[str, User] = field(default_factory=dict)
    salespeople: list[User] = field(default_factory=list)
    others: dict[str, User] = field(default_factory=dict)

    def logins(self) -> list[tuple[str, str]]:
        rows = [(f"{r.get_role_display()}", u.username) for u in self.others.values() for r in [u]]
        rows += [(f"manager {code}", m.username) for code, m in self.managers.items()]
        rows += [(f"salesperson {u.unit.code}", u.username) for u in self.salespeople[:3]]
        rows.append(("...", "sales04 … sales12"))
        return rows


def _user(username: str, full_name: str, role: str, unit: SalesUnit | None, password: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        lang = "en" if full_name[:1].isascii() else "zh-hant"
        user = user_create(
            username=username,
            password=password,
            role=role,
            full_name=full_name,
            unit=unit,
            email=f"{username}@demo.example.com",
            language=lang,
        )
    return user


def run(*, password: str) -> DemoPeople:
    people = DemoPeople()
    for code, name, name_en in UNITS:
        people.units[code], _ = SalesUnit.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
    for code, (username, full_name) in MANAGERS.items():
        unit = people.units[code]
        manager = _user(username, full_name, Role.MANAGER, unit, password)
        people.managers[code] = manager
        if unit.manager_id != manager.id:
            unit.manager = manager
            unit.save(update_fields=["manager"])
    for username, full_name, code in SALESPEOPLE:
        people.salespeople.append(_user(username, full_name, Role.SALESPERSON, people.units[code], password))
    for username, full_name, role in OTHERS:
        people.others[username] = _user(username, full_name, role, None, password)
    admin = people.others["admin"]
    if not admin.is_superuser:
        admin.is_superuser = True
        admin.save(update_fields=["is_superuser"])
        user_set_role(user=admin, role=Role.ADMIN)
    return people
