"""Partial dates: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

Reporting often says only "in June", so a date may name a year, a month or a
day. A partial date stands for its *last* day whenever it is compared with an
as-of date or measured against a window, and sorts by its *first* day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from .errors import TrackerError

_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class DateError(TrackerError, ValueError):
    """A date that cannot be read; the message says why."""


@dataclass(frozen=True)
class PartialDate:
    """A date that names a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    # Scoring asks each date for its first and last day again and again; they are worked out once.
    @cached_property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @cached_property
    def last(self) -> dt.date:
        month = self.month or 12
        day = self.day or month_length(self.year, month)
        return dt.date(self.year, month, day)

    @property
    def is_full(self) -> bool:
        return self.day is not None

    def sort_key(self) -> tuple[dt.date, dt.date]:
        return (self.first, self.last)

    def list_key(self) -> tuple[dt.date, int]:
        """Where a list puts it: by its first day, a year before a month before a full date of that day."""
        return (self.first, 2 if self.day is not None else 1 if self.month is not None else 0)

    def to_toml(self) -> dt.date | str:
        """A full date is written as a TOML date; a partial one as a string."""
        return self.first if self.is_full else str(self)

    def __str__(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


# Thousands of records share each date: one object per date keeps memory and the parse cache small.
_SHARED: dict[PartialDate, PartialDate] = {}
SHARED_LIMIT = 100_000  # far more distinct dates than a records directory holds


def _shared(date: PartialDate) -> PartialDate:
    if len(_SHARED) > SHARED_LIMIT:  # a long-lived process that loads many directories keeps a bounded table
        _SHARED.clear()
    return _SHARED.setdefault(date, date)


def parse_date(value: object) -> PartialDate:
    """Read a TOML date or a ``YYYY[-MM[-DD]]`` string."""
    if isinstance(value, dt.datetime):
        raise DateError(f"{value.isoformat()} has a time; give a date only, as YYYY-MM-DD")
    if isinstance(value, dt.date):
        return _shared(PartialDate(value.year, value.month, value.day))
    if not isinstance(value, str):
        raise DateError(f"expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got {type_name(value)}")
    match = _PATTERN.fullmatch(value.strip())
    if not match:
        raise DateError(f"{value!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match[1])
    month, day = (int(part) if part else None for part in match.groups()[1:])
    if year < 1000:
        raise DateError(f"{value!r} has an implausible year; write four digits, as 2019")
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"{value!r} has no month {month}; months run from 01 to 12")
    if month is not None and day is not None:  # the pattern has a day only after a month
        length = month_length(year, month)
        if not 1 <= day <= length:
            raise DateError(f"{value!r} does not exist: {year}-{month:02d} has {length} days")
    return _shared(PartialDate(year, month, day))


def month_length(year: int, month: int) -> int:
    """The number of days in the month (calendar.monthrange's, without importing calendar at a write's start-up)."""
    return 31 if month == 12 else (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days


def type_name(value: object) -> str:
    """How a TOML value's type reads in a message."""
    names = {str: "a string", int: "a number", float: "a number", bool: "true/false",
             list: "a list", dict: "a table", dt.date: "a date", dt.datetime: "a date-time"}
    return names.get(type(value), type(value).__name__)
