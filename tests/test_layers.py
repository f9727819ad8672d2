"""The import-linter contracts of `make lint` (pyproject.toml, [tool.importlinter]) pass on the tree and bite.

A copy of the apps' Python files gets wrong-way imports; `lint-imports` must fail there, naming each one, and must
still let tests import across the layers (factories). No database: the graph is built from the source files.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]

IGNORED = shutil.ignore_patterns("__pycache__", "locale", "templates", "static", "*.pyc")
TESTS = {"**.tests -> **", "**.tests.** -> **"}

# (file in the copy, line appended to it, what lint-imports names when it fails)
WRONG_WAY = [
    ("core/money.py", "import reports", "core.money -> reports"),
    ("core/tests/test_money.py", "from accounts import models", "core.tests.test_money -> accounts.models"),
    ("accounts/roles.py", "from customers.models import Customer", "accounts.roles -> customers.models"),
    ("customers/selectors.py", "import sales.selectors", "customers.selectors -> sales.selectors"),
    ("sales/rules.py", "from commission import selectors", "sales.rules -> commission.selectors"),
    ("commission/selectors.py", "from reports import periods", "commission.selectors -> reports.periods"),
    ("reports/views.py", "from reminders.models import Reminder", "reports.views -> reminders.models"),
    ("reminders/views.py", "import workspace.selectors", "reminders.views -> workspace.selectors"),
    ("crm/settings/base.py", "import accounts", "crm.settings.base -> accounts"),
    ("reports/selectors/dashboard.py", "from sales.services import x", "reports.selectors.dashboard -> sales.services"),
    ("reports/views.py", "from commission.services import x", "reports.views -> commission.services"),
    ("workspace/views.py", "from customers.services import x", "workspace.views -> customers.services"),
    ("commission/selectors.py", "import accounts.services", "commission.selectors -> accounts.services"),
]
# Tests may import across the layers: these must not be reported.
ALLOWED = [
    ("sales/tests/test_rules.py", "from workspace import selectors"),
    ("customers/tests/__init__.py", "from reports.services import x"),
]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter: grimp finds the root packages on sys.path, which in this process are the real ones.
    run = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    env = {**os.environ, "PYTHONPATH": str(cwd), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", run, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def copy_of_the_apps(tmp_path: Path) -> Path:
    for package in CONFIG["root_packages"]:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=IGNORED)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\n{line}  # noqa\n")


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_wrong_way_import_breaks_the_contracts(tmp_path):
    tree = copy_of_the_apps(tmp_path)
    for file, line, _ in WRONG_WAY + [(file, line, "") for file, line in ALLOWED]:
        assert (tree / file).is_file(), file
        append(tree / file, line)

    result = lint_imports(tree)

    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stdout
    missing = [named for _, _, named in WRONG_WAY if named not in report]
    assert missing == [], report
    assert "sales.tests" not in report and "customers.tests" not in report, report


def test_only_tests_are_let_off():
    ignored = {c["id"]: set(c.get("ignore_imports", [])) for c in CONFIG["contracts"]}
    assert ignored["layers"] <= TESTS
    assert ignored["core"] == set()
    assert ignored["services"] <= TESTS
