"""Parsing of management-command options shared by the meters commands."""

import sys
from datetime import date

from django.core.management.base import CommandError

from meters.models import Meter


def date_option(text: str, option: str) -> date:
    """A ``YYYY-MM-DD`` option as a date; a ``CommandError`` naming the option otherwise."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, got {text!r}") from None


def add_meter_period_arguments(parser) -> None:
    """``--ean``, ``--from`` and ``--to`` (local dates, ``--to`` exclusive)."""
    parser.add_argument("--ean", required=True)
    parser.add_argument("--from", dest="start", required=True, help="first local date, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", required=True, help="local date after the last, YYYY-MM-DD")


def meter_period(ean: str, start: str, end: str):
    """The meter with ``ean`` and the local dates ``[start, end)`` of the options; ``CommandError``
    when a date is wrong, the period empty or the EAN unknown."""
    start_date, end_date = date_option(start, "--from"), date_option(end, "--to")
    if start_date >= end_date:
        raise CommandError("--from must be before --to (--to is exclusive)")
    meter = Meter.objects.filter(ean=ean.strip()).first()
    if meter is None:
        raise CommandError(f"no meter with EAN {ean}")
    return meter, start_date, end_date


def csv_stdout(command):
    """The stream a command writes CSV to: the raw standard output when it is one (exact UTF-8 and
    "\\n", whatever the platform's text-mode newline handling); tests pass their own text stream."""
    out = command.stdout._out
    if out is sys.stdout:
        sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    return out
