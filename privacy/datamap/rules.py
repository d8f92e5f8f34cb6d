"""The vocabulary of the personal-data map, and the rules every entry must keep.

One ``ModelRule`` per model says whose rows they are (``subject``), what happens to those rows
when the person's data is erased (``rows``), whether they are offtake/injection data
(``meter_data``), and, per field, a ``FieldRule``: personal or not, exported or not, and its
fate on erasure. ``inconsistencies`` states the rules a reviewer would check by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

EXPORT = True
NO_EXPORT = False


class Erasure(StrEnum):
    """What erasing the person does to one field of their rows."""

    ERASE = "erase"  # the value goes: the row is deleted, or the field emptied
    ANONYMISE = "anonymise"  # replaced by what leads back to no one: NULL link, keyed hash, placeholder
    KEEP = "keep"  # kept as it is (a personal field kept needs a reason)


class Rows(StrEnum):
    """What erasing the person does to their rows of a model."""

    DELETE = "delete"
    ANONYMISE = "anonymise"  # the row stays, its personal fields erased or anonymised field by field
    KEEP = "keep"  # the row stays unchanged, as evidence (reason required)
    NONE = "none"  # the model holds no rows about a person


# Subjects that are not an ORM lookup; privacy.datamap.rows_about knows how to find them.
SPECIAL_SUBJECTS = {
    "@session": "the sessions whose data names the user (_auth_user_id)",
    "@logentry": "admin history entries about one of the person's rows (content type + object id)",
    "@axes": "django-axes rows whose username is the person's account key (user:<pk>)",
}

# Subjects that are a plain integer column holding a user's id (no foreign key, on purpose).
PLAIN_USER_IDS = {("accounts.accessrecord", "customer_id")}


@dataclass(frozen=True)
class FieldRule:
    personal: bool
    export: bool
    erasure: Erasure
    reason: str = ""
    # Names someone who did something to the row (staff, or the customer themselves), not the
    # person the row is about: never exported (their identity is theirs), cut when they go.
    actor: bool = False


@dataclass(frozen=True)
class ModelRule:
    subject: tuple[str, ...]  # ORM lookups from the model to the user the rows are about
    rows: Rows
    reason: str
    fields: Mapping[str, FieldRule]
    meter_data: bool = False  # offtake/injection data: erased on a request about meter data too
    export_as: str = "json"  # "json", or "csv" for readings (too many values for JSON)
    notes: str = ""  # what the erasure of issue 10 must know beyond the fields

    def __post_init__(self):
        object.__setattr__(self, "fields", dict(self.fields))


def personal(export: bool, erasure: Erasure, reason: str = "") -> FieldRule:
    """A field that tells something about a person."""
    return FieldRule(personal=True, export=export, erasure=erasure, reason=reason)


def link(erasure: Erasure, reason: str = "") -> FieldRule:
    """The field that names the person the row is about (not exported: the export is theirs)."""
    return FieldRule(
        personal=True,
        export=NO_EXPORT,
        erasure=erasure,
        reason=reason or "the link to the person themselves: their export is already theirs",
    )


def actor(erasure: Erasure, reason: str = "") -> FieldRule:
    """Who (of staff, or the customer) did something to the row."""
    return FieldRule(
        personal=True,
        export=NO_EXPORT,
        erasure=erasure,
        reason=reason or "who did it: the identity of staff is not the customer's to receive (CJEU C-579/21)",
        actor=True,
    )


def not_personal(erasure: Erasure = Erasure.KEEP, reason: str = "") -> FieldRule:
    """A field that tells nothing about a person (an internal id, a price, a code)."""
    return FieldRule(personal=False, export=NO_EXPORT, erasure=erasure, reason=reason)


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing a person does to one model, from the map (issue 10's services carry it out)."""

    label: str
    subject: tuple[str, ...]
    rows: Rows
    meter_data: bool
    reason: str
    erase: tuple[str, ...]
    anonymise: tuple[str, ...]
    keep: dict[str, str] = field(default_factory=dict)  # personal fields kept → why
    actors: tuple[str, ...] = ()
    notes: str = ""


def inconsistencies(label: str, rule: ModelRule) -> list[str]:
    """What is wrong with one entry, as readable lines (empty when it holds together)."""
    found = []
    fields = rule.fields
    if rule.rows != Rows.NONE and not rule.subject:
        found.append(f"{label}: rows are {rule.rows} but no subject says whose they are")
    if rule.rows == Rows.NONE and rule.subject:
        found.append(f"{label}: has a subject but says it holds no rows about a person")
    if rule.rows in (Rows.KEEP, Rows.ANONYMISE) and not rule.reason:
        found.append(f"{label}: rows are {rule.rows}: say why (the reason a data-protection authority reads)")
    if rule.export_as not in ("json", "csv"):
        found.append(f"{label}: export_as must be json or csv")
    if rule.rows == Rows.ANONYMISE and not any(
        f.erasure in (Erasure.ERASE, Erasure.ANONYMISE) for f in fields.values() if f.personal
    ):
        found.append(f"{label}: anonymised rows must erase or anonymise at least one personal field")
    for name, f in fields.items():
        where = f"{label}.{name}"
        if not f.personal and f.export:
            found.append(f"{where}: exported but not personal")
        if f.personal and not f.export and not f.reason:
            found.append(f"{where}: personal but not exported: say why")
        if (
            f.personal
            and f.erasure == Erasure.KEEP
            and rule.rows != Rows.NONE
            and not (f.reason or rule.reason)
        ):
            found.append(f"{where}: personal and kept: say why")
        if f.actor and (f.export or not f.personal):
            found.append(f"{where}: an actor is personal and never exported")
        if rule.rows == Rows.DELETE and f.erasure != Erasure.ERASE:
            found.append(f"{where}: the row is deleted, so the field is erased (not {f.erasure})")
        if rule.rows == Rows.KEEP and f.erasure != Erasure.KEEP:
            found.append(f"{where}: the row is kept unchanged, so the field is kept (not {f.erasure})")
        if rule.rows == Rows.NONE and f.personal and not f.actor:
            found.append(f"{where}: personal, yet the model says it holds no rows about a person")
        if rule.rows == Rows.NONE and f.erasure != Erasure.KEEP and not f.actor:
            found.append(f"{where}: nothing to erase in a model without people")
        if rule.rows == Rows.ANONYMISE and not f.personal and f.erasure != Erasure.KEEP:
            found.append(f"{where}: not personal: an anonymised row keeps it")
    return found
