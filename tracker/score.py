"""The scoring method: weights, score and verdict of each promise as of a date.

This file is the method. docs/method.md describes it
rule by rule; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from .dates import PartialDate
from .model import Config, Event, Link, Promise, Rating, Records, Statement, Term
from .vocabulary import STANCES, VERDICT_MEANINGS, VERDICTS

# The verdict rules, in the order computed_verdict applies them (the first that applies decides), as
# docs/method.md and the site's methodology page state them; a test holds all three to this list.
RULES: tuple[tuple[str, str], ...] = (
    ("editorial", "The promise has a rating that counts by D: the latest one gives the verdict."),
    ("broken", "A scored `breaks` link."),
    ("kept", "A scored `fulfills` link."),
    ("in-progress", "A scored `partly-fulfills` link and no scored `partly-breaks` link, and after the latest "
                    "`partly-fulfills` a scored `advances` link whose last day is no more than `stall_days` days "
                    "before D, while the promise is not yet due."),
    ("compromise", "A scored `partly-fulfills` link."),
    ("broken", "The promise fell due before D: its deadline's last day, or else (with `term_due`) the last day "
               "in office of the term it was made or last restated for, re-elections included, is before D."),
    ("broken", "The latest scored evidence is a `misses` link: the pledge is being missed."),
    ("compromise", "A scored `partly-breaks` link."),
    ("contradicted", "against > support."),
    ("stalled", "The latest scored evidence is an `obstructs` link: the pledge is blocked by someone else."),
    ("in-progress", "A scored `advances` link whose last day is no more than `stall_days` days before D."),
    ("stalled", "The made date's first day is more than `stall_days` days before D."),
    ("not-rated", "Otherwise."),
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One event's link to a promise, weighed."""

    event: Event
    link: Link
    weight: float
    scored: bool  # False for events before the pledge was made: shown as context only

    @property
    def side(self) -> str:
        return STANCES[self.link.stance].side


@dataclass(frozen=True, slots=True)
class Due:
    """When a promise falls due: its own deadline, or else the end of the term it was (last) made for."""

    date: dt.date  # the last day on which it can still be kept
    term: Term | None  # None when the promise's own deadline sets the date
    label: str  # as a reason reads it: "the deadline, 2019-03," or "the term"

    def passed(self, as_of: dt.date) -> bool:
        return self.date < as_of


@dataclass(frozen=True, slots=True)
class Assessment:
    """A promise's standing as of a date, and why."""

    promise: Promise
    as_of: dt.date
    statements: tuple[PartialDate, ...]
    evidence: tuple[Evidence, ...]
    support: float
    against: float
    score: int | None
    computed_verdict: str
    reason: str  # the rule that decided the computed verdict, in plain words
    rating: Rating | None
    due: Due | None = None

    @property
    def verdict(self) -> str:
        return self.rating.verdict if self.rating else self.computed_verdict

    @property
    def verdict_source(self) -> str:
        return "editorial" if self.rating else "computed"

    @property
    def made(self) -> PartialDate:
        return self.statements[0]

    @property
    def latest_evidence(self) -> PartialDate | None:
        return max((e.event.date for e in self.evidence), key=PartialDate.sort_key, default=None)


def meaning(a: Assessment) -> str:
    """What the verdict and the score tell a reader, in plain words."""
    score = "There is no score yet: no evidence counts." if a.score is None else (
        f"The score, {a.score}, is the share of the weight of the evidence that supports the pledge "
        f"({a.support:g} of {a.support + a.against:g}).")
    return f"{VERDICT_MEANINGS[a.verdict]} {score}"


def counts_by(date: PartialDate, as_of: dt.date) -> bool:
    """Whether something dated `date` had happened by as_of: a partial date stands for its last day."""
    return date.last <= as_of


def severity(event: Event, link: Link) -> int:
    """The link's severity, or else the event's."""
    return link.severity or event.severity


def weight(event: Event, link: Link, config: Config) -> float:
    """The severity times the stance's multiplier (an obstacle has none: it weighs on neither side)."""
    return severity(event, link) * config.multipliers.get(link.stance, 0)


def statements_by(promise: Promise, as_of: dt.date) -> list[Statement]:
    """The promise's statements made by as_of, oldest first."""
    return sorted((s for s in promise.statements if counts_by(s.date, as_of)), key=lambda s: s.date.sort_key())


def ratings_by(promise: Promise, as_of: dt.date) -> list[Rating]:
    """The promise's ratings dated by as_of, oldest first: the last is the one in force."""
    return sorted((r for r in promise.ratings if counts_by(r.date, as_of)), key=lambda r: r.date.sort_key())


def score_of(support: float, against: float) -> int | None:
    """100 × support / (support + against), rounded half up; None when no evidence counts.

    The ratio is first rounded to 9 decimal places, so that a multiplier such as 0.3, which binary
    floating point cannot hold exactly, does not turn an exact half into 37.4999….
    """
    total = support + against
    return math.floor(round(100 * support / total, 9) + 0.5) if total > 0 else None


def assess(promise: Promise, linked: list[tuple[Event, Link]], config: Config, as_of: dt.date,
           terms: tuple[Term, ...] = ()) -> Assessment | None:
    """The promise as of as_of, or None if it had not been made by then. terms: the official's terms of office."""
    statements = tuple(s.date for s in statements_by(promise, as_of))
    if not statements:
        return None
    made = statements[0]
    evidence = tuple(evidence_of(event, link, config, made) for event, link in in_order(linked)
                     if counts_by(event.date, as_of))
    scored = [e for e in evidence if e.scored]
    support = sum(e.weight for e in scored if e.side == "support")
    against = sum(e.weight for e in scored if e.side == "against")
    due = due_of(promise, statements, terms, config)
    verdict, reason = computed_verdict(made, scored, support, against, config, as_of, due)
    ratings = ratings_by(promise, as_of)
    return Assessment(promise, as_of, statements, evidence, support, against, score_of(support, against),
                      verdict, reason, ratings[-1] if ratings else None, due)


def in_order(linked: list[tuple[Event, Link]]) -> list[tuple[Event, Link]]:
    """The evidence in the order a report lists and weighs it: by date (a partial date at its first day), then ID."""
    return sorted(linked, key=lambda pair: (pair[0].date.sort_key(), pair[0].id))


def evidence_of(event: Event, link: Link, config: Config, made: PartialDate) -> Evidence:
    """A linked event as evidence for a pledge made on `made`: scored unless it ended before the pledge began."""
    return Evidence(event, link, weight(event, link, config), scored=event.date.last >= made.first)


def due_of(promise: Promise, statements: tuple[PartialDate, ...], terms: tuple[Term, ...],
           config: Config) -> Due | None:
    """The promise's own deadline; else, with term_due, the end of the official's time in office it was made for.

    A statement belongs to the term running on its first day (the later one, on a day when one term
    ends and the next begins), or else to the first term to begin after it: a campaign pledge is due
    at the end of the term it was made to win. A re-election carries the pledge on: a term that
    begins by the day after the last one ended continues it. The latest statement decides, so a
    pledge restated for a later, separate term falls due at the end of that one.
    """
    if promise.deadline:
        return Due(promise.deadline.last, None, f"the deadline, {promise.deadline}, passed")
    if not config.term_due:
        return None
    day = statements[-1].first
    running = [t for t in terms if t.start.first <= day and (t.end is None or day <= t.end.last)]
    later = [t for t in terms if t.start.first > day]
    term = max(running, key=lambda t: t.start.sort_key(), default=None) \
        or min(later, key=lambda t: t.start.sort_key(), default=None)
    while term is not None and term.end is not None:
        follows = term.end.last + dt.timedelta(days=1)
        following = [t for t in terms if term.start.first < t.start.first <= follows]
        if not following:
            return Due(term.end.last, term, f"the term ended on {term.end}")
        term = max(following, key=lambda t: (t.end is None, t.end.sort_key() if t.end else ()))
    return None


def computed_verdict(made: PartialDate, scored: list[Evidence], support: float, against: float,
                     config: Config, as_of: dt.date, due: Due | None) -> tuple[str, str]:
    """The first rule that applies decides. Rule 1 (an editorial rating) is applied by Assessment.verdict."""
    stances = {e.link.stance for e in scored}
    overdue = due is not None and due.passed(as_of)
    window = as_of - dt.timedelta(days=config.stall_days)
    if "breaks" in stances:
        return "broken", "an event breaks the pledge"
    if "fulfills" in stances:
        return "kept", "an event fulfils the pledge"
    if "partly-fulfills" in stances and "partly-breaks" not in stances:
        step = None if overdue else further_work(scored, window)
        if step:
            return "in-progress", (f"delivered in part, and a step since ({step.event.id}, {step.event.date}) "
                                   f"falls within the last {config.stall_days} days")
    if "partly-fulfills" in stances:
        return "compromise", "an event fulfils the pledge in part"
    if due is not None and overdue:
        return "broken", f"{due.label} without the pledge being fulfilled"
    latest = scored[-1] if scored else None
    if latest and latest.link.stance == "misses":
        return "broken", f"the latest evidence, {latest.event.id} ({latest.event.date}), shows the pledge being missed"
    if "partly-breaks" in stances:
        return "compromise", "an event breaks a part of the pledge"
    if against > support:
        return "contradicted", f"the evidence against ({against:g}) outweighs the support ({support:g})"
    if latest and latest.link.stance == "obstructs":
        return "stalled", f"blocked by {latest.event.id} ({latest.event.date}), the latest evidence"
    if any(e.link.stance == "advances" and e.event.date.last >= window for e in scored):
        return "in-progress", f"an event advanced the pledge within the last {config.stall_days} days"
    if made.first < window:
        return "stalled", f"made more than {config.stall_days} days ago with no step forward since"
    return "not-rated", "too little evidence yet"


def further_work(scored: list[Evidence], window: dt.date) -> Evidence | None:
    """An advances link after the latest partial delivery, and within the window: the pledge is still being
    worked on."""
    partial = max(e.event.date.sort_key() for e in scored if e.link.stance == "partly-fulfills")
    return next((e for e in reversed(scored) if e.link.stance == "advances" and e.event.date.sort_key() > partial
                 and e.event.date.last >= window), None)


def links_by_promise(records: Records, only: set[str] | None = None) -> dict[str, list[tuple[Event, Link]]]:
    """Each promise's linked events (of the promises in `only`, when given: a report of one country
    need not index the links of all the others)."""
    index: dict[str, list[tuple[Event, Link]]] = {}
    for event in records.events:
        for link in event.links:
            if only is None or link.promise in only:
                index.setdefault(link.promise, []).append((event, link))
    return index


def report(records: Records, as_of: dt.date, country: str | None = None, official: str | None = None,
           topic: str | None = None) -> list[Assessment]:
    """Every promise that matches the filters and had been made by as_of, in ID order."""
    chosen = [p for p in records.promises if matches(p, country, official, topic)]
    filtered = len(chosen) < len(records.promises)
    index = links_by_promise(records, {p.id for p in chosen} if filtered else None)
    terms = terms_by_official(records.terms)
    assessed = (assess(p, index.get(p.id, []), records.config, as_of, terms.get(official_key(p), ()))
                for p in sorted(chosen, key=lambda p: p.id))
    return [a for a in assessed if a is not None]


def terms_of(records: Records, promise: Promise) -> tuple[Term, ...]:
    """The terms of office of the promise's official (which tell when the promise falls due)."""
    return tuple(t for t in records.terms if official_key(t) == official_key(promise))


def official_key(record: Promise | Term) -> tuple[str, str]:
    """A promise belongs to the terms of the same official in the same country (name in any case and spacing)."""
    return record.country, " ".join(record.official.casefold().split())


def terms_by_official(terms: tuple[Term, ...]) -> dict[tuple[str, str], tuple[Term, ...]]:
    index: dict[tuple[str, str], list[Term]] = {}
    for term in terms:
        index.setdefault(official_key(term), []).append(term)
    return {key: tuple(found) for key, found in index.items()}


def matches(promise: Promise, country: str | None, official: str | None, topic: str | None) -> bool:
    """Country is exact; official is a case-insensitive part of the name; topic is a case-insensitive tag."""
    return ((country is None or promise.country == country.upper())
            and (official is None or official.casefold() in promise.official.casefold())
            and (topic is None or topic.casefold() in (t.casefold() for t in promise.topics)))


def tally(assessments: list[Assessment]) -> dict[str, int]:
    counts = {verdict: 0 for verdict in VERDICTS}
    for assessment in assessments:
        counts[assessment.verdict] += 1
    return counts
