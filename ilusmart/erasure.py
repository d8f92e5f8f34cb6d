"""What every app's erasure service shares (issue 10): the keyed hash, the person being erased,
and the one routine that deletes or anonymises rows as the personal-data map says.

The map itself lives in ``privacy.datamap`` (the highest app), so the apps below cannot read it:
``privacy.services.erasure`` reads it and hands each app its own models' plans and a way to find
the person's rows (``ErasureJob``); each app's ``services/erasure.py`` decides the order and
what is particular to its models (an EAN's hash, a mandate's end) and calls ``rows_erase``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models

PLACEHOLDER = "[gewist]"


def keyed_hash(value: str, *, length: int = 64) -> str:
    """HMAC-SHA256 of ``value`` under ``ERASURE_HASH_KEY``, hex, cut to ``length`` characters.

    What an erasure keeps instead of a value (an email on the suppression list, a receipt's
    person, an anonymised EAN): it can be checked against a value someone names ("was this
    address erased?") but not read back, and without the key not even guessed from a list.
    """
    digest = hmac.new(settings.ERASURE_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return digest[:length]


def email_hash(email: str) -> str:
    """The keyed hash of an email address, case and surrounding spaces ignored."""
    return keyed_hash("email:" + (email or "").strip().lower())


def ean_hash(ean: str) -> str:
    """An EAN's stand-in after erasure: 18 characters (an EAN's column width), never a valid EAN."""
    return "~" + keyed_hash("ean:" + ean, length=17)


def reference_hash(reference: str) -> str:
    """A mandate reference's stand-in after erasure (32 characters, the column's width)."""
    return "~" + keyed_hash("ref:" + reference, length=31)


@dataclass(frozen=True)
class Person:
    """Who is being erased, read once before anything changes (later steps cut the links)."""

    user_id: int
    email: str
    name: str = ""
    meter_ids: tuple[int, ...] = ()
    eans: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    # Values that must leave no trace in Redis (names, phone, address, EANs, references, email).
    needles: tuple[str, ...] = ()

    @property
    def hash(self) -> str:
        return email_hash(self.email)


@dataclass
class ErasureJob:
    """One app's share of an erasure: its models' plans and the person's rows, from the data map."""

    person: Person
    personal: bool  # the account and all that identifies the person
    meter: bool  # offtake and injection data
    plans: Mapping[str, object]  # label → privacy.datamap ErasurePlan
    rows: Callable[[str], models.QuerySet]  # label → the person's rows of that model
    counts: dict[str, int] = field(default_factory=dict)

    def applies(self, label: str) -> bool:
        """Whether this erasure touches ``label``'s rows: a personal erasure all, a meter one its data."""
        plan = self.plans[label]
        if plan.rows in ("none", "keep"):
            return False
        return self.personal or (self.meter and plan.meter_data)

    def erase(self, label: str, *, replace: Mapping[str, Callable[[object], object]] | None = None) -> int:
        """Apply ``label``'s plan to the person's rows (if this erasure touches it); the rows affected."""
        if not self.applies(label):
            return 0
        count = rows_erase(self.rows(label), plan=self.plans[label], replace=replace or {})
        self.counts[label] = self.counts.get(label, 0) + count
        return count

    def labels(self, app_label: str) -> list[str]:
        return [label for label in self.plans if label.split(".")[0] == app_label]


def _blank(model_field):
    """What an erased or anonymised column becomes when nothing particular is said: NULL or empty."""
    if model_field.null:
        return None
    if model_field.has_default():
        return model_field.get_default()
    if isinstance(model_field, models.BooleanField):
        return False
    if isinstance(model_field, models.JSONField):
        return {}
    if isinstance(model_field, (models.CharField, models.TextField)):
        return PLACEHOLDER if not model_field.blank else ""
    raise ValueError(
        f"{model_field.model._meta.label}.{model_field.name}: no empty value; say one in replace"
    )


def rows_erase(queryset: models.QuerySet, *, plan, replace: Mapping[str, Callable[[object], object]]) -> int:
    """Delete the rows (plan.rows == "delete"), or empty/anonymise the plan's fields in each row.

    Fields in ``replace`` get ``replace[name](old value)`` (a keyed hash, say); other erased or
    anonymised fields become NULL, their default or empty. Returns how many rows were affected.
    """
    Model = queryset.model
    if plan.rows == "delete":
        count = queryset.count()
        if count:
            queryset.delete()  # one DELETE … WHERE (subject) where nothing cascades from the model
        return count
    if plan.rows != "anonymise":
        return 0
    names = [n for n in (*plan.erase, *plan.anonymise) if n != Model._meta.pk.name]
    fields = {n: Model._meta.get_field(n) for n in names}
    fixed = {n: _blank(f) for n, f in fields.items() if n not in replace and not f.many_to_many}
    per_row = [n for n in names if n in replace]
    pks = list(queryset.values_list("pk", flat=True))
    if not pks:
        return 0
    if fixed:
        Model.objects.filter(pk__in=pks).update(**fixed)
    for name in (n for n, f in fields.items() if f.many_to_many):
        for obj in Model.objects.filter(pk__in=pks):
            getattr(obj, name).clear()
    if per_row:
        for pk, *values in Model.objects.filter(pk__in=pks).values_list("pk", *per_row):
            Model.objects.filter(pk=pk).update(
                **{
                    n: replace[n](v) if v not in (None, "") else v
                    for n, v in zip(per_row, values, strict=True)
                }
            )
    return len(pks)


def model(label: str):
    return apps.get_model(label)
