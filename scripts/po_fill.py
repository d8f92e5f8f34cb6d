"""Fill empty msgstr entries of a .po file from a JSON object {msgid: msgstr}.

Usage: python scripts/po_fill.py locale/en/LC_MESSAGES/django.po translations.json
Existing translations are kept (fuzzy guesses are replaced); prints the msgids that are still untranslated.
"""

import ast
import json
import sys
from pathlib import Path


def _value(lines, key):
    out, on = [], False
    for line in lines:
        if line.startswith(key + " "):
            on = True
            out.append(line[len(key) + 1 :])
        elif on and line.startswith('"'):
            out.append(line)
        elif on:
            break
    return "".join(ast.literal_eval(x) for x in out) if out else None


def main(po_path, json_path):
    translations = json.loads(Path(json_path).read_text(encoding="utf-8"))
    blocks = Path(po_path).read_text(encoding="utf-8").split("\n\n")
    missing = []
    for i, block in enumerate(blocks[1:], start=1):
        lines = block.split("\n")
        msgid = _value(lines, "msgid")
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        if msgid is None or (_value(lines, "msgstr") and not fuzzy):
            continue
        if any(line.startswith("msgid_plural") for line in lines):
            if fuzzy or not _value(lines, "msgstr[0]"):
                missing.append(msgid + " (plural: fill msgstr[0] and msgstr[1] by hand)")
            continue
        if msgid in translations:
            head = lines[: _msgstr_index(lines)]
            head = [_unfuzzied(ln) for ln in head if ln != "#, fuzzy" and not ln.startswith("#| ")]
            blocks[i] = "\n".join([*head, "msgstr " + json.dumps(translations[msgid], ensure_ascii=False)])
        else:
            missing.append(msgid)
    Path(po_path).write_text("\n\n".join(blocks), encoding="utf-8")
    for m in missing:
        print("untranslated:", repr(m))


def _unfuzzied(line):
    """``#, fuzzy, python-format`` → ``#, python-format`` (a fuzzy entry is never compiled)."""
    if not line.startswith("#,"):
        return line
    flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
    return "#, " + ", ".join(flags)


def _msgstr_index(lines):
    return next(i for i, ln in enumerate(lines) if ln.startswith("msgstr"))


if __name__ == "__main__":
    main(*sys.argv[1:3])
