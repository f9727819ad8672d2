"""Compile every .po file of the project (not those of installed packages) with Python's msgfmt-compatible writer."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "var", "node_modules", ".git"}

if not shutil.which("msgfmt"):
    print("msgfmt (gettext) not found: using the committed .mo files", file=sys.stderr)
    sys.exit(0)

for po in sorted(ROOT.rglob("*.po")):
    if SKIP & set(po.relative_to(ROOT).parts):
        continue
    mo = po.with_suffix(".mo")
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
print("translations compiled", file=sys.stderr)
