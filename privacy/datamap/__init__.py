"""The personal-data map: every field of every model, personal or not, exported or not, and its
fate when the person is erased. Exports (issue 9) and erasure (issue 10) are driven by it.

The entries are plain data, one per model and one line per field: ``ours.py`` (the portal's
apps) and ``third_party.py`` (Django's, django-axes, django-otp). ``unclassified()`` compares
them with the installed models, so a field added by a migration fails the tests until it has a
line here; ``inconsistencies()`` holds each entry to the rules in ``rules.py``. The table a
reviewer reads is docs/data-map.md, written by ``python manage.py datamap_doc``.

Each app erases its own models (issue 10); the map only says what.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from privacy.datamap.ours import ACCOUNTS, CONSENTS, METERS, PRIVACY
from privacy.datamap.rules import (
    EXPORT,
    NO_EXPORT,
    PLAIN_USER_IDS,
    SPECIAL_SUBJECTS,
    Erasure,
    ErasurePlan,
    FieldRule,
    ModelRule,
    Rows,
    actor,
    inconsistencies,
    link,
    not_personal,
    personal,
)
from privacy.datamap.third_party import DJANGO, SECURITY

DATA_MAP: dict[str, ModelRule] = {**ACCOUNTS, **CONSENTS, **METERS, **PRIVACY, **DJANGO, **SECURITY}

__all__ = [
    "DATA_MAP",
    "EXPORT",
    "NO_EXPORT",
    "SPECIAL_SUBJECTS",
    "Erasure",
    "ErasurePlan",
    "FieldRule",
    "ModelRule",
    "Rows",
    "actor",
    "entry",
    "erasure_plan",
    "fields_to_export",
    "inconsistencies",
    "link",
    "lookup_target",
    "model_fields",
    "not_personal",
    "personal",
    "personal_fields",
    "rows_about",
    "unclassified",
]


def _label(model) -> str:
    return model.lower() if isinstance(model, str) else model._meta.label_lower


def entry(model) -> ModelRule:
    """The map's entry for ``model`` (a model class or "app_label.model"); KeyError if unmapped."""
    label = _label(model)
    try:
        return DATA_MAP[label]
    except KeyError:
        raise KeyError(f"{label} is not in the personal-data map (privacy/datamap/)") from None


def model_fields(model) -> list[str]:
    """The names of ``model``'s own columns and many-to-many fields: what the map must classify."""
    return [
        f.name
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many) and not (f.auto_created and not f.concrete)
    ]


def personal_fields(model) -> list[str]:
    """The fields of ``model`` that hold personal data, in the map's order."""
    return [name for name, rule in entry(model).fields.items() if rule.personal]


def fields_to_export(model) -> list[str]:
    """The fields of ``model`` that a person's export holds (``entry(model).export_as`` says how)."""
    return [name for name, rule in entry(model).fields.items() if rule.export]


def erasure_plan(model) -> ErasurePlan:
    """What erasing a person does to ``model``: its rows' fate and each field's, with the reasons."""
    rule = entry(model)
    return ErasurePlan(
        label=_label(model),
        subject=rule.subject,
        rows=rule.rows,
        meter_data=rule.meter_data,
        reason=rule.reason,
        erase=tuple(n for n, f in rule.fields.items() if f.erasure == Erasure.ERASE),
        anonymise=tuple(n for n, f in rule.fields.items() if f.erasure == Erasure.ANONYMISE),
        keep={n: f.reason or rule.reason for n, f in rule.fields.items() if f.erasure == Erasure.KEEP},
        actors=tuple(n for n, f in rule.fields.items() if f.actor),
        notes=rule.notes,
    )


def unclassified(models=None) -> list[str]:
    """Models and fields the map does not classify, and lines of the map that match nothing.

    ``models`` defaults to every installed model; Django's join tables of many-to-many fields are
    covered by the field that makes them. Also reports entries that break the rules.
    """
    check_all = models is None
    if check_all:
        models = [m for m in apps.get_models() if not m._meta.auto_created]
    problems = []
    seen = set()
    for model in models:
        label = model._meta.label_lower
        seen.add(label)
        rule = DATA_MAP.get(label)
        if rule is None:
            problems.append(f"{label}: model not in the data map")
            continue
        actual = model_fields(model)
        problems += [
            f"{label}.{name}: field not in the data map" for name in actual if name not in rule.fields
        ]
        problems += [
            f"{label}.{name}: in the data map but not on the model"
            for name in rule.fields
            if name not in actual
        ]
    if check_all:
        problems += [f"{label}: in the data map but no such model" for label in sorted(set(DATA_MAP) - seen)]
        for label, rule in DATA_MAP.items():
            problems += inconsistencies(label, rule)
    return problems


def lookup_target(model, lookup: str):
    """The model an ORM ``lookup`` from ``model`` ends on (the user model for a plain user id)."""
    if lookup == "pk":
        return model
    current = model
    for part in lookup.split("__"):
        field = current._meta.get_field(part)
        if field.is_relation:
            current = field.related_model
        elif (current._meta.label_lower, part) in PLAIN_USER_IDS:
            return get_user_model()
        else:
            raise ValueError(f"{model._meta.label}: {lookup} does not lead to a person")
    return current


def rows_about(model, *, user) -> models.QuerySet:
    """The rows of ``model`` about ``user``, by the map's subject (empty for models without people)."""
    rule = entry(model)
    Model = apps.get_model(_label(model))
    if not rule.subject:
        return Model.objects.none()
    ordinary = Q()
    specials = []
    for lookup in rule.subject:
        if lookup.startswith("@"):
            specials.append(_SPECIAL_FINDERS[lookup](Model, user))
        else:
            ordinary |= Q(**{lookup: user.pk})
    queryset = Model.objects.filter(ordinary) if ordinary else Model.objects.none()
    for special in specials:
        queryset = queryset | special
    return queryset


def _sessions_of(Model, user):
    from django.contrib.auth import SESSION_KEY

    keys = [
        s.session_key for s in Model.objects.iterator() if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    return Model.objects.filter(session_key__in=keys)


def _log_entries_about(Model, user):
    """History entries whose object is one of the person's rows (of any model with a plain subject)."""
    from django.contrib.contenttypes.models import ContentType

    about = Q()
    for label, rule in DATA_MAP.items():
        other = apps.get_model(label)
        if not rule.subject or any(s.startswith("@") for s in rule.subject):
            continue
        if isinstance(other._meta.pk, models.CompositePrimaryKey):
            continue  # no admin page, so no history
        ids = [str(pk) for pk in rows_about(other, user=user).values_list("pk", flat=True)]
        if ids:
            about |= Q(content_type=ContentType.objects.get_for_model(other), object_id__in=ids)
    return Model.objects.filter(about) if about else Model.objects.none()


def _axes_rows_of(Model, user):
    from accounts.services.login_lockout import login_account_key

    return Model.objects.filter(username=login_account_key(identifier=user.email))


def _axes_expirations_of(Model, user):
    from axes.models import AccessAttempt

    return Model.objects.filter(access_attempt__in=_axes_rows_of(AccessAttempt, user))


def _axes(Model, user):
    if Model._meta.label_lower == "axes.accessattemptexpiration":
        return _axes_expirations_of(Model, user)
    return _axes_rows_of(Model, user)


_SPECIAL_FINDERS = {"@session": _sessions_of, "@logentry": _log_entries_about, "@axes": _axes}
