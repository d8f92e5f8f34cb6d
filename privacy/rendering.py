"""A policy text to HTML: a small, safe subset of Markdown that staff can write in admin.

Blocks are separated by a blank line: ``## `` and ``### `` start headings, lines starting with
``- `` make a list, lines starting with ``|`` make a table (the first row is the header), anything
else is a paragraph. Inline: ``[text](url)`` links (https, http, mailto or a path on this site)
and ``**bold**``. Everything is escaped first, so no HTML of the text reaches the page.
``[[cookies]]`` stands for the cookie registry's table (privacy.cookies) until publication.
"""

from __future__ import annotations

import re
from itertools import zip_longest

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COOKIE_TABLE_MARK = "[[cookies]]"
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_SAFE_URL = re.compile(r"^(https?://|mailto:|/(?!/))")


def _inline(text: str) -> str:
    html = escape(text)

    def link(match):
        label, url = match.group(1), match.group(2)
        if not _SAFE_URL.match(url):
            return match.group(0)
        external = url.startswith("http")
        rel = ' rel="noopener noreferrer"' if external else ""
        return f'<a href="{url}"{rel}>{label}</a>'

    html = _LINK.sub(link, html)
    return _BOLD.sub(r"<strong>\1</strong>", html)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table(lines: list[str]) -> str:
    rows = [_cells(line) for line in lines if not re.fullmatch(r"\|[\s:|-]+\|", line.strip())]
    head, body = rows[0], rows[1:]
    # Explicit roles keep it a table for screen readers when a phone's stylesheet stacks its rows;
    # data-label gives each stacked cell its column's name.
    thead = "".join(f'<th scope="col" role="columnheader">{_inline(cell)}</th>' for cell in head)
    tbody = "".join(
        '<tr role="row">'
        + "".join(
            f'<td role="cell" data-label="{escape(label)}">{_inline(cell)}</td>'
            for label, cell in zip_longest(head, row, fillvalue="")
        )
        + "</tr>"
        for row in body
    )
    return (
        '<table class="data-table policy-table" role="table">'
        f'<thead role="rowgroup"><tr role="row">{thead}</tr></thead>'
        f'<tbody role="rowgroup">{tbody}</tbody></table>'
    )


def policy_html(body: str, *, cookie_table: str | None = None) -> SafeString:
    """``body`` as HTML; ``cookie_table`` (a table in this format) replaces ``[[cookies]]``."""
    if cookie_table is not None:
        body = body.replace(COOKIE_TABLE_MARK, cookie_table)
    parts = []
    for block in re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in block.strip().split("\n")]
        first = lines[0]
        if first.startswith("### "):
            parts.append(f"<h3>{_inline(first[4:])}</h3>")
            lines = lines[1:]
        elif first.startswith("## "):
            parts.append(f"<h2>{_inline(first[3:])}</h2>")
            lines = lines[1:]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        elif all(line.startswith("|") for line in lines):
            parts.append(_table(lines))
        else:
            parts.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every piece of text above went through escape()
