"""The records and settings, as plain frozen dataclasses."""

from __future__ import annotations

import operator
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .dates import PartialDate
from .vocabulary import STANCES, WEIGHED


class Slotted:
    """A record type with slots rather than a dict per instance, for the memory of a million records. It is
    pickled (for the cache) as its type and its values, which unpickle through its __init__: over twice as
    fast as the dataclass default for slots, which looks up the fields again for every instance."""

    __slots__ = ()
    _values: Callable[[Slotted], tuple[object, ...]]  # the values of its fields, in the order __init__ takes them

    def __init_subclass__(cls) -> None:
        # dataclass(slots=True) makes each type twice; the second has the slots, in the order of the fields.
        names: tuple[str, ...] = cls.__dict__.get("__slots__", ())
        if names:
            get = operator.attrgetter(*names)  # one name gives its value alone, not in a tuple
            cls._values = staticmethod(get if len(names) > 1 else lambda record: (get(record),))

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), self._values(self)

    # What dataclass() writes for each type (repr=True, eq=True, with frozen=True the hash), written here once:
    # dataclass compiles generated source for every method of every class at each start-up, a cost every write
    # command pays. Each type is made with repr=False, eq=False so that these are its methods.
    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        names: tuple[str, ...] = self.__slots__
        fields = ", ".join(f"{name}={value!r}" for name, value in zip(names, self._values(self), strict=True))
        return f"{self.__class__.__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values(self) == self._values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values(self))


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Statement(Slotted):
    """One time the pledge was made: in the promise's own file, or a restatement in a file of its own."""

    date: PartialDate
    sources: tuple[str, ...] = ()
    quote: str | None = None
    venue: str | None = None


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Rating(Slotted):
    """An editorial verdict on a promise, which overrides the computed one from its date on."""

    date: PartialDate
    verdict: str
    rationale: str
    by: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Promise(Slotted):
    """A pledge by an official, with the statements that made it and the ratings given to it."""

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


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Link(Slotted):
    """The stance of an event on one promise."""

    promise: str
    stance: str
    note: str | None = None
    severity: int | None = None


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Event(Slotted):
    """Something that happened, with the links that say how it bears on promises."""

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
    actors: tuple[str, ...] = ()  # who took part: people, groups, forces


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Term(Slotted):
    """One term of an official in an office: recorded once, it tells when the official's pledges fall due."""

    id: str
    country: str
    official: str
    start: PartialDate
    end: PartialDate | None = None  # None while the term runs
    office: str | None = None
    sources: tuple[str, ...] = ()
    path: str = ""


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Part(Slotted):
    """A statement, rating or link in a file of its own, filed below the promise it belongs to."""

    kind: str  # "statement", "rating" or "link"
    path: str
    promise: str  # the ID of the promise, from the folder the file is in
    item: Statement | Rating | Link
    event: str | None = None  # a link's event, from its file name


@dataclass(frozen=True)
class Config:
    """The settings of a records directory (tracker.toml)."""

    multipliers: Mapping[str, float] = field(
        default_factory=lambda: {name: STANCES[name].multiplier for name in WEIGHED})
    stall_days: int = 365
    auto_commit: bool = False
    term_due: bool = True  # a promise with no deadline falls due at the end of its term


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Problem(Slotted):
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
    """Everything read from a records directory, and every problem found in it."""

    promises: tuple[Promise, ...]
    events: tuple[Event, ...]
    config: Config
    problems: tuple[Problem, ...] = ()
    terms: tuple[Term, ...] = ()
    old_layout: tuple[str, ...] = ()  # files that `tracker migrate` would convert to the current layout

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)
