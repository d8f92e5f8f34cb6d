"""The English catalogue: every Dutch source string has an English translation that is compiled.

A ``fuzzy`` entry (makemessages' guess after a source string changed) is skipped by
compilemessages, so the English page would show Dutch: none may be committed.
"""

from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries():
    blocks = CATALOGUE.read_text(encoding="utf-8").split("\n\n")
    return [block for block in blocks[1:] if "msgid" in block]  # the first block is the header


def test_no_entry_is_fuzzy():
    fuzzy = [
        block
        for block in _entries()
        if any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
    ]
    assert fuzzy == [], "fuzzy entries are not compiled; translate them (scripts/po_fill.py)"
