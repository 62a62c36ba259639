"""The records and settings, as plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .dates import PartialDate

VERDICTS = ("kept", "compromise", "broken", "contradicted", "in-progress", "stalled", "not-rated")

# stance -> (side, default multiplier, meaning)
STANCES: Mapping[str, tuple[str, float, str]] = MappingProxyType({
    "fulfills": ("support", 4, "the pledge is delivered in full"),
    "partly-fulfills": ("support", 2, "delivered in part or watered down"),
    "advances": ("support", 1, "a concrete step toward it, such as a draft published"),
    "consistent": ("support", 1, "conduct in line with it, such as a protest allowed with no detentions"),
    "contradicts": ("against", 1, "conduct contrary to it, such as peaceful protesters detained"),
    "breaks": ("against", 4, "the pledge is withdrawn or reversed"),
})

COUNTS = ("detained", "fined", "jailed", "injured", "killed")
EVENT_KINDS = ("detention", "fine", "violence", "legal-change", "statement", "permitted-protest")


@dataclass(frozen=True)
class Statement:
    date: PartialDate
    sources: tuple[str, ...] = ()
    quote: str | None = None
    venue: str | None = None


@dataclass(frozen=True)
class Rating:
    date: PartialDate
    verdict: str
    rationale: str
    by: str | None = None


@dataclass(frozen=True)
class Promise:
    id: str
    country: str
    official: str
    title: str
    statements: tuple[Statement, ...]
    office: str | None = None
    text: str | None = None
    topics: tuple[str, ...] = ()
    deadline: PartialDate | None = None
    ratings: tuple[Rating, ...] = ()
    path: str = ""
    source_id: str | None = None  # the row it was imported from, in its own dataset

    @property
    def made(self) -> PartialDate:
        """The pledge was made at its earliest statement."""
        return min((s.date for s in self.statements), key=PartialDate.sort_key)


@dataclass(frozen=True)
class Link:
    promise: str
    stance: str
    note: str | None = None
    severity: int | None = None


@dataclass(frozen=True)
class Event:
    id: str
    country: str
    date: PartialDate
    title: str
    kind: str | None = None
    location: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    severity: int = 1
    sources: tuple[str, ...] = ()
    notes: str | None = None
    links: tuple[Link, ...] = ()
    path: str = ""
    source_id: str | None = None  # the row it was imported from, in its own dataset


@dataclass(frozen=True)
class Part:
    """A statement, rating or link in a file of its own, filed below the promise it belongs to."""

    kind: str  # "statement", "rating" or "link"
    path: str
    promise: str  # the ID of the promise, from the folder the file is in
    item: Statement | Rating | Link
    event: str | None = None  # a link's event, from its file name


@dataclass(frozen=True)
class Config:
    multipliers: Mapping[str, float] = field(
        default_factory=lambda: {name: spec[1] for name, spec in STANCES.items()})
    stall_days: int = 365
    auto_commit: bool = False


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in the records, located at file:line."""

    path: str
    message: str
    line: int | None = None
    hint: str | None = None
    excerpt: str | None = None
    level: str = "error"  # or "warning"

    @property
    def is_error(self) -> bool:
        return self.level == "error"


@dataclass(frozen=True)
class Records:
    promises: tuple[Promise, ...]
    events: tuple[Event, ...]
    config: Config
    problems: tuple[Problem, ...] = ()
    old_layout: tuple[str, ...] = ()  # files that `tracker migrate` would convert to the current layout

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)
