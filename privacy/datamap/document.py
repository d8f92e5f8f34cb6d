"""docs/data-map.md, written from the map (``python manage.py datamap_doc``; a test keeps it true)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from privacy.datamap import DATA_MAP, Erasure, Rows
from privacy.datamap.stores import OTHER_STORES

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "data-map.md"

INTRO = """\
# The personal-data map

Generated from `privacy/datamap/` by `python manage.py datamap_doc`; do not edit by hand
(`tests/privacy/test_datamap_doc.py` fails when this file and the map differ). Every field of
every installed model is classified, the third-party apps' included; a model or field without
a line fails `tests/privacy/test_datamap.py`.

How to read it:

- **Personal**: information about an identifiable person (GDPR art. 4(1)). Every column of a
  customer's row is personal except internal row ids.
- **Export**: in the person's own export ("Mijn gegevens", issue 9). Everything personal is
  exported except secrets (password hash, session keys, second-factor keys) and the identity of
  staff who acted on the row (CJEU C-579/21: that is theirs); each exception gives its reason.
- **Erasure**: what erasing the person does (issue 10, one service per app): *erase* (the row
  is deleted or the value emptied), *anonymise* (replaced by what leads back to no one: a NULL
  link, a keyed hash, a placeholder) or *keep* (kept as it is, with the reason).
- **Rows**: the fate of the person's rows of the model; **subject**: how to find them (an ORM
  lookup to the user; `@session`, `@logentry`, `@axes` are found by `privacy.datamap.rows_about`).
- **Meter data**: offtake and injection data and what is derived from it; erased on a request
  about meter data, and with the account (a household's quarter-hour profile cannot be made
  anonymous: Fluvius holds the same series for the EAN).
- **Actor**: a link to whoever did something to the row (staff, or the customer); never exported,
  cut when *that* person is erased.

Helpers for the code: `personal_fields(model)`, `fields_to_export(model)`, `erasure_plan(model)`,
`rows_about(model, user=…)`.
"""

YES, NO = "yes", "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The whole document, from the map."""
    lines = [INTRO]
    summary = [
        "## Summary",
        "",
        "| model | rows | subject | meter data | personal fields |",
        "|---|---|---|---|---|",
    ]
    for label, rule in sorted(DATA_MAP.items()):
        personal = sum(1 for f in rule.fields.values() if f.personal)
        summary.append(
            f"| [{label}](#{label.replace('.', '')}) | {rule.rows} | {', '.join(f'`{s}`' for s in rule.subject) or NO} "
            f"| {YES if rule.meter_data else NO} | {personal} of {len(rule.fields)} |"
        )
    lines += summary + [""]
    lines.append("## Models")
    for label, rule in sorted(DATA_MAP.items()):
        lines += ["", f"### {label}", ""]
        lines.append(f"- rows: **{rule.rows}**" + (f" — {_cell(rule.reason)}" if rule.reason else ""))
        if rule.subject:
            lines.append(f"- subject: {', '.join(f'`{s}`' for s in rule.subject)}")
        if rule.meter_data:
            lines.append("- meter data: yes")
        if rule.rows != Rows.NONE:
            lines.append(f"- exported as: {rule.export_as}")
        if rule.notes:
            lines.append(f"- note: {_cell(rule.notes)}")
        lines += ["", "| field | personal | export | erasure | why |", "|---|---|---|---|---|"]
        for name, f in rule.fields.items():
            kind = "actor" if f.actor else (YES if f.personal else NO)
            erasure = f.erasure if (f.personal or f.erasure != Erasure.KEEP) else NO
            lines.append(f"| `{name}` | {kind} | {YES if f.export else NO} | {erasure} | {_cell(f.reason)} |")
    lines += ["", "## Outside the models (kept by hand: `privacy/datamap/stores.py`)", ""]
    lines += ["| where | what | lifetime | on erasure |", "|---|---|---|---|"]
    lines += [
        f"| {_cell(s.where)} | {_cell(s.what)} | {_cell(s.lifetime)} | {_cell(s.erasure)} |"
        for s in OTHER_STORES
    ]
    return "\n".join(lines) + "\n"
