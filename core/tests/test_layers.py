"""core is the bottom layer: none of its modules imports an app above it (tests included)."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent
UPPER = {"accounts", "customers", "sales", "commission", "reports", "reminders", "workspace"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_imports_no_app_above_it():
    wrong = {
        str(path.relative_to(CORE)): sorted(imported_roots(path) & UPPER)
        for path in CORE.rglob("*.py")
        if "migrations" not in path.parts and imported_roots(path) & UPPER
    }
    assert wrong == {}
