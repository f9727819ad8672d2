"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}. Used when adding strings."""

import json
import re
import sys
from pathlib import Path


def fill(po_path: Path, table: dict[str, str]) -> list[str]:
    text = po_path.read_text(encoding="utf-8")
    missing: list[str] = []

    def repl(m: re.Match) -> str:
        msgid = m.group(2)
        key = msgid.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        if key in table:
            value = table[key].replace("\\", "\\\\").replace('"', '\\"')
            return f'{m.group(1)}msgstr "{value}"\n'
        if msgid:
            missing.append(key)
        return m.group(0)

    text = re.sub(r'(msgid "((?:[^"\\]|\\.)*)"\n)msgstr ""\n(?!")', repl, text)
    po_path.write_text(text, encoding="utf-8")
    return missing


if __name__ == "__main__":
    missing = fill(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
    for m in missing:
        print("untranslated:", m)
