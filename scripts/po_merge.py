"""Resolve a conflict in locale/en/LC_MESSAGES/django.po during a rebase or merge.

Usage (from the repository root, while git reports the conflict):
    .venv/bin/python scripts/po_merge.py
Takes the catalogue of the branch being rebased onto (``HEAD``), regenerates it from the source
as it now stands (``make messages``), then fills every empty or fuzzy msgstr from the
translations of both sides (``HEAD`` and the commit being applied, ``REBASE_HEAD`` or
``MERGE_HEAD``), and stages the file. Prints what is still untranslated.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from po_fill import _value  # noqa: E402 (one parser of .po entries)

PO = "locale/en/LC_MESSAGES/django.po"


def _git(*args) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def _translations(text: str) -> dict:
    found = {}
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if any(line.startswith("msgid_plural") for line in lines):
            continue
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        msgid, msgstr = _value(lines, "msgid"), _value(lines, "msgstr")
        if msgid and msgstr:
            found[msgid] = msgstr
    return found


def main():
    other = next((ref for ref in ("REBASE_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD") if _exists(ref)), None)
    ours = _git("show", f"HEAD:{PO}")
    known = _translations(ours)
    if other:
        known = {**_translations(_git("show", f"{other}:{PO}")), **known}
    Path(PO).write_text(ours, encoding="utf-8")
    env = {**os.environ, "DEBUG": "true"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--ignore=.venv", "--ignore=node_modules",
         "--no-obsolete", "--no-location", "-v", "0"],
        check=True, env=env,
    )  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(known, handle, ensure_ascii=False)
    subprocess.run([sys.executable, "scripts/po_fill.py", PO, handle.name], check=True)
    os.unlink(handle.name)
    _git("add", PO)


def _exists(ref: str) -> bool:
    return subprocess.run(["git", "rev-parse", "-q", "--verify", ref], capture_output=True).returncode == 0


if __name__ == "__main__":
    main()
