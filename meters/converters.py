"""URL converters for chart periods: a bad date never matches, so Django answers 404, not 500."""

from datetime import date


class IsoDateConverter:
    """``YYYY-MM-DD`` ↔ ``date``."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError (e.g. 2025-02-30) → no match → 404

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


class IsoMonthConverter:
    """``YYYY-MM`` ↔ the ``date`` of the month's 1st."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> date:
        year, month = value.split("-")
        return date(int(year), int(month), 1)

    def to_url(self, value) -> str:
        return f"{value:%Y-%m}" if isinstance(value, date) else str(value)


class YearConverter:
    """``YYYY`` ↔ ``int`` (a year a ``date`` can hold: ``0000`` never matches)."""

    regex = r"\d{4}"

    def to_python(self, value: str) -> int:
        return date(int(value), 1, 1).year  # ValueError for year 0 → no match → 404

    def to_url(self, value) -> str:
        return f"{int(value):04d}"
