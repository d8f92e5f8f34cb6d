"""docs/data-map.md says what the map says (it is written by ``manage.py datamap_doc``)."""

from django.core.management import call_command

from privacy.datamap import DATA_MAP
from privacy.datamap.document import DOCUMENT, markdown


def test_the_document_is_the_map():
    assert DOCUMENT.read_text() == markdown(), (
        "docs/data-map.md is out of date: run python manage.py datamap_doc"
    )


def test_every_model_and_field_has_a_row_in_the_document():
    text = DOCUMENT.read_text()
    for label, rule in DATA_MAP.items():
        section = text.split(f"\n### {label}\n", 1)[1].split("\n### ", 1)[0]
        for name in rule.fields:
            assert f"| `{name}` |" in section, (label, name)


def test_the_command_checks(capsys):
    call_command("datamap_doc", "--check")
    assert "up to date" in capsys.readouterr().out
