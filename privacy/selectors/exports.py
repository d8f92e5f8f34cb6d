"""What a person's download holds: every exported field of every row about them, per the data map.

``personal_data`` reads the map (``privacy.datamap``): for each model whose rows are about a
person and that exports as JSON, the rows ``rows_about`` finds, with exactly the fields
``fields_to_export`` lists. Readings (the map's ``export_as="csv"`` models) go into CSV files:
``readings_csv_parts`` says which, over the days the person may see
(``meters.selectors.visibility.visible_periods``), written by ``meters.services.export``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Min

from ilusmart import clock
from meters.models import Meter, ReadingDay
from meters.selectors import meters_for_user
from meters.selectors.visibility import VisiblePeriods, visible_periods
from meters.services.export import EXPORT_DAY, EXPORT_MAX_DAYS, EXPORT_QUARTER_HOUR
from privacy.datamap import DATA_MAP, fields_to_export, rows_about


def json_export_labels() -> list[str]:
    """The models a person's JSON holds: rows about a person, exported as JSON, some field exported."""
    return sorted(
        label
        for label, rule in DATA_MAP.items()
        if rule.subject and rule.export_as == "json" and fields_to_export(label)
    )


def _value(row, name: str):
    """One field of ``row`` as JSON can hold it: a meter as its EAN, a model type as its name, a
    many-to-many as its names, another link as the name of what it points to."""
    field = row._meta.get_field(name)
    if field.many_to_many:
        return sorted(str(related) for related in getattr(row, name).all())
    if field.is_relation:
        related_id = getattr(row, field.attname)
        if related_id is None:
            return None
        if field.related_model is Meter:
            return getattr(row, name).ean
        if field.related_model is ContentType:
            content_type = getattr(row, name)
            return f"{content_type.app_label}.{content_type.model}"
        return str(getattr(row, name))
    return getattr(row, field.attname)


def personal_data(*, user, labels: list[str] | None = None) -> dict[str, list[dict]]:
    """Every exported field of every row about ``user``, per model label (empty models left out)."""
    result = {}
    for label in labels if labels is not None else json_export_labels():
        names = fields_to_export(label)
        rows = rows_about(apps.get_model(label), user=user)
        records = [{name: _value(row, name) for name in names} for row in rows.order_by("pk")]
        if records:
            result[label] = records
    return result


@dataclass(frozen=True)
class ReadingsPart:
    """One CSV file of the download: one meter, one resolution, the local days ``[start, end)``."""

    meter: Meter
    resolution: str
    start: date
    end: date
    visible: VisiblePeriods

    @property
    def file_name(self) -> str:
        kind = "kwartieren" if self.resolution == EXPORT_QUARTER_HOUR else "dagen"
        last = self.end - timedelta(days=1)
        return f"metingen/{self.meter.ean}-{kind}-{self.start.isoformat()}-{last.isoformat()}.csv"


def _chunks(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    while start < end:
        yield start, min(start + timedelta(days=days), end)
        start = min(start + timedelta(days=days), end)


def readings_csv_parts(*, user) -> list[ReadingsPart]:
    """The CSV files of ``user``'s readings: per meter of theirs, quarter-hours and days, over the
    stored days they may see (split where a file would pass the download's longest range)."""
    parts = []
    tomorrow = clock.local_today() + timedelta(days=1)
    for meter in meters_for_user(user=user):
        visible = visible_periods(user=user, meter=meter)
        stored = ReadingDay.objects.filter(meter=meter).aggregate(first=Min("day"), last=Max("day"))
        if stored["first"] is None:
            continue
        for start, end in visible.clip(stored["first"], min(stored["last"] + timedelta(days=1), tomorrow)):
            for resolution in (EXPORT_QUARTER_HOUR, EXPORT_DAY):
                for chunk_start, chunk_end in _chunks(start, end, EXPORT_MAX_DAYS[resolution]):
                    parts.append(ReadingsPart(meter, resolution, chunk_start, chunk_end, visible))
    return parts
