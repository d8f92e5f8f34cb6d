"""The personal-data map (privacy/datamap) covers every field of every model, and holds together.

A model or field that appears (a migration, a new third-party app) without a line in the map,
or a line whose field is gone, fails ``test_every_model_and_field_is_classified``. The rules a
reviewer (or a data-protection authority) would check are tested one by one below.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models
from django.test.utils import isolate_apps

from privacy import datamap
from privacy.datamap import Erasure, Rows
from tests.factories import MandateFactory, MeterFactory, ProductFactory, ProfileFactory, UserFactory


def _all_entries():
    return sorted(datamap.DATA_MAP.items())


def test_every_model_and_field_is_classified():
    problems = datamap.unclassified()
    assert problems == [], (
        "the personal-data map (privacy/datamap/) is out of step with the models:\n" + "\n".join(problems)
    )


def test_the_map_covers_third_party_apps_too():
    labels = set(datamap.DATA_MAP)
    for app_label in ("admin", "auth", "contenttypes", "sessions", "axes", "otp_totp", "otp_static"):
        for model in apps.get_app_config(app_label).get_models():
            assert model._meta.label_lower in labels


def test_many_to_many_tables_are_covered_by_their_field():
    """Django's own join tables (user ↔ groups, …) have no entry: the field that makes them does."""
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.auto_created:
            continue
        owner = model._meta.auto_created
        field = next(f for f in owner._meta.many_to_many if f.remote_field.through is model)
        assert field.name in datamap.DATA_MAP[owner._meta.label_lower].fields, model._meta.label


@isolate_apps("privacy")
def test_a_new_model_or_field_is_caught():
    """The check itself: a model nobody mapped, and a mapped model with one field more and one less."""

    class Newsletter(models.Model):  # noqa: DJ008
        email = models.EmailField()

        class Meta:
            app_label = "privacy"

    class Meter(models.Model):  # noqa: DJ008 (the real meters.Meter as a migration might change it)
        ean = models.CharField(max_length=18)
        colour = models.CharField(max_length=10)

        class Meta:
            app_label = "meters"

    problems = datamap.unclassified(models=[Newsletter, Meter])
    assert "privacy.newsletter: model not in the data map" in problems
    assert "meters.meter.colour: field not in the data map" in problems
    assert "meters.meter.owner: in the data map but not on the model" in problems


@pytest.mark.parametrize(
    ("label", "rule"), _all_entries(), ids=lambda value: value if isinstance(value, str) else ""
)
def test_each_entry_holds_together(label, rule):
    assert datamap.inconsistencies(label, rule) == []


def test_the_consistency_rules_catch_what_they_should():
    bad = datamap.ModelRule(
        subject=("user",),
        rows=Rows.DELETE,
        reason="",
        fields={
            "a": datamap.personal(datamap.EXPORT, Erasure.KEEP),  # kept though the row goes
            "b": datamap.personal(datamap.NO_EXPORT, Erasure.ERASE),  # withheld without a reason
            "c": datamap.FieldRule(
                personal=False, export=True, erasure=Erasure.ERASE
            ),  # exports a non-personal field
        },
    )
    found = "\n".join(datamap.inconsistencies("x.y", bad))
    assert "x.y.a" in found and "x.y.b" in found and "x.y.c" in found

    kept = datamap.ModelRule(
        subject=("user",),
        rows=Rows.KEEP,
        reason="",
        fields={"a": datamap.personal(datamap.EXPORT, Erasure.KEEP)},
    )
    found = "\n".join(datamap.inconsistencies("x.z", kept))
    assert "reason" in found


@pytest.mark.parametrize(
    ("label", "rule"), _all_entries(), ids=lambda value: value if isinstance(value, str) else ""
)
def test_subject_lookups_lead_to_a_person(label, rule):
    """Each ORM lookup of ``subject`` ends on the user model (or a plain user id)."""
    model = apps.get_model(label)
    for lookup in rule.subject:
        if lookup.startswith("@"):
            assert lookup in datamap.SPECIAL_SUBJECTS, (label, lookup)
            continue
        assert datamap.lookup_target(model, lookup) == get_user_model(), (label, lookup)


def test_people_are_never_without_a_line():
    """Every relation to the user model is in the map as the subject link or a named actor."""
    User = get_user_model()
    for label, rule in _all_entries():
        model = apps.get_model(label)
        for field in map(model._meta.get_field, datamap.model_fields(model)):
            if field.is_relation and field.related_model is User:
                is_subject = field.name in rule.subject
                assert is_subject or rule.fields[field.name].actor, (label, field.name)


# --- the decisions a data-protection authority would ask about -------------------------------


def test_secrets_are_never_exported():
    User = get_user_model()
    assert "password" not in datamap.fields_to_export(User)
    assert datamap.fields_to_export(Session) == []
    assert "key" not in datamap.fields_to_export("otp_totp.totpdevice")
    assert datamap.fields_to_export("otp_static.statictoken") == []


def test_other_peoples_identities_are_not_exported():
    """Who of staff did something is theirs (CJEU C-579/21): the actor fields stay out of an export."""
    for label, rule in _all_entries():
        for name, field in rule.fields.items():
            if field.actor:
                assert name not in datamap.fields_to_export(label), (label, name)


def test_what_the_privacy_statement_names_is_personal_and_exported():
    """Name, postal address, email and phone (the 2021 statement's list) and the readings."""
    profile = datamap.fields_to_export("accounts.profile")
    for name in ("first_name", "last_name", "street", "house_number", "postal_code", "municipality", "phone"):
        assert name in profile
    assert "email" in datamap.fields_to_export("accounts.user")
    assert {"offtake_wh", "injection_wh", "day"} <= set(datamap.fields_to_export("meters.readingday"))
    assert datamap.DATA_MAP["meters.readingday"].export_as == "csv"


def test_erasure_plans():
    user_plan = datamap.erasure_plan(get_user_model())
    assert user_plan.rows == Rows.DELETE
    assert "email" in user_plan.erase

    # Access records are append-only evidence with ids only: kept, with a reason, but the link to
    # the customer is cut (issue 10: the one change the database allows).
    access = datamap.erasure_plan("accounts.accessrecord")
    assert access.rows == Rows.ANONYMISE and access.reason
    assert set(access.keep) == {"id", "at", "staff_id", "what"}
    assert access.anonymise == ("customer_id",)

    # A mandate is kept as evidence for Fluvius, without anything that leads back to the person.
    mandate = datamap.erasure_plan("consents.mandate")
    assert mandate.rows == Rows.ANONYMISE
    assert {"user", "ean", "reference_number"} <= set(mandate.anonymise)
    assert "short_url" in mandate.erase
    assert "data_period_from" in mandate.keep and mandate.keep["data_period_from"]

    # Readings are meter data: a request about meter data alone erases them, and so does the account's.
    readings = datamap.erasure_plan("meters.readingday")
    assert readings.rows == Rows.DELETE and readings.meter_data
    assert not datamap.erasure_plan("accounts.profile").meter_data

    # Who of staff wrote a note is cut when *they* are erased, never the customer's note itself.
    assert datamap.erasure_plan("meters.contactnote").actors == ("author",)


def test_models_without_people_have_nothing_to_erase():
    for label in ("auth.permission", "contenttypes.contenttype", "meters.capacitytariffprice"):
        plan = datamap.erasure_plan(label)
        assert plan.rows == Rows.NONE
        assert datamap.personal_fields(label) == []


# --- the subject lookups find the person's rows and nobody else's ----------------------------


@pytest.mark.django_db
def test_rows_about_a_person_are_theirs_only():
    person, other = ProfileFactory().user, ProfileFactory().user
    for who in (person, other):
        meter = MeterFactory(owner=who)
        ProductFactory(meter=meter)
        MandateFactory(user=who, ean=meter.ean)

    for label in ("accounts.user", "accounts.profile", "meters.meter", "meters.product", "consents.mandate"):
        rows = list(datamap.rows_about(label, user=person))
        assert len(rows) == 1, label
        assert not set(rows) & set(datamap.rows_about(label, user=other)), label


def _logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_rows_about_a_person_in_sessions_and_admin_history():
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    person, other = ProfileFactory().user, ProfileFactory().user
    theirs = _logged_in(person)
    _logged_in(other)
    sessions = list(datamap.rows_about(Session, user=person))
    assert [s.session_key for s in sessions] == [theirs.session.session_key]

    staff = UserFactory(is_staff=True)
    for who in (person, other):
        for obj in (who, who.profile):
            LogEntry.objects.create(
                user=staff,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                object_repr=str(obj),
                action_flag=CHANGE,
            )
    entries = datamap.rows_about(LogEntry, user=person)
    assert sorted(e.object_repr for e in entries) == sorted([str(person), str(person.profile)])
