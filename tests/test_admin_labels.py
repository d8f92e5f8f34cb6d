"""Every field staff can meet in the admin has a Dutch (translatable) label, not its English name.

Walks the admin's registry, so a new model or field without a ``verbose_name`` fails here: Django
would otherwise label it from the attribute name ("Backfill from", "Insert time watermark") on
Dutch pages. Django's own models (auth groups) bring their own translations and are skipped.
"""

import pytest
from django.contrib import admin
from django.utils import translation
from django.utils.functional import Promise

OUR_APPS = {"accounts", "consents", "meters", "privacy"}


def _our_models():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
        key=lambda model: model._meta.label,
    )


def _fields(model):
    for field in model._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue  # reverse relations are labelled by the other model
        if getattr(field, "primary_key", False) and field.auto_created:
            continue  # the automatic "ID"
        yield field


@pytest.mark.parametrize("model", _our_models(), ids=lambda model: model._meta.label)
def test_every_admin_model_and_field_has_a_translatable_dutch_label(model):
    untranslated = []
    for field in _fields(model):
        if not isinstance(field.verbose_name, Promise):
            untranslated.append(field.name)
    assert not untranslated, (
        f"{model._meta.label}: fields without a gettext_lazy verbose_name: {untranslated}"
    )
    assert isinstance(model._meta.verbose_name, Promise), model._meta.label
    assert isinstance(model._meta.verbose_name_plural, Promise), model._meta.label


@pytest.mark.parametrize("model", _our_models(), ids=lambda model: model._meta.label)
def test_the_labels_have_an_english_translation(model):
    """Dutch first; the English pages show the English words from locale/en (compiled at set-up)."""
    missing = []
    for field in _fields(model):
        dutch = str(field.verbose_name)
        with translation.override("en"):
            english = str(field.verbose_name)
        if dutch == english and dutch.lower() not in {"ean", "meter", "status", "product"}:
            missing.append(dutch)
    assert not missing, f"{model._meta.label}: no English for {missing}"
