"""How a promise's verdict moved over time, and what changed when: for the site's strip and feed.

Nothing here scores anything itself: each point in time is a fresh `score.assess` as of that
day, so the history can never disagree with the method.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .model import Config, Event, Link, Promise, Term
from .score import Assessment, Evidence, assess

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """A stretch of days, start to end inclusive, over which the verdict stayed the same."""

    start: dt.date
    end: dt.date
    verdict: str
    source: str  # "computed" or "editorial"
    reason: str


@dataclass(frozen=True)
class Change:
    """One thing a reader following the promise would want to hear about."""

    date: dt.date
    promise: Promise
    kind: str  # "verdict" or "evidence"
    verdict: str | None = None
    previous: str | None = None
    reason: str | None = None
    evidence: Evidence | None = None


def checkpoints(promise: Promise, linked: list[tuple[Event, Link]], config: Config, as_of: dt.date,
                terms: tuple[Term, ...] = ()) -> list[dt.date]:
    """Every day on which the verdict could change, up to as_of.

    A dated thing counts from its last day (see score.counts_by). Besides statements, events and ratings,
    the verdict can change with no new record: the day after a deadline passes, and the day a promise or
    an `advances` step becomes older than stall_days, and the day after a term ends.
    """
    after_stall = dt.timedelta(days=config.stall_days) + DAY
    days = {s.date.last for s in promise.statements} | {r.date.last for r in promise.ratings}
    days |= {event.date.last for event, _ in linked}
    if promise.deadline:
        days.add(later(promise.deadline.last, DAY))
    days |= {later(t.end.last, DAY) for t in terms if t.end}
    days |= {later(s.date.last, after_stall) for s in promise.statements}
    days |= {later(event.date.last, after_stall) for event, link in linked if link.stance == "advances"}
    return sorted(day for day in days if day <= as_of)


def later(day: dt.date, delta: dt.timedelta) -> dt.date:
    """day + delta, or the calendar's last day when that is beyond it (a deadline of 9999-12 never passes)."""
    return day + delta if delta <= dt.date.max - day else dt.date.max


def history(promise: Promise, linked: list[tuple[Event, Link]], config: Config,
            as_of: dt.date, terms: tuple[Term, ...] = ()) -> list[tuple[dt.date, Assessment]]:
    """The assessment as of each checkpoint, oldest first; as_of itself is always the last."""
    days = [day for day in checkpoints(promise, linked, config, as_of, terms) if day < as_of] + [as_of]
    assessed = ((day, assess(promise, linked, config, day, terms)) for day in days)
    return [(day, a) for day, a in assessed if a is not None]


def spans(points: list[tuple[dt.date, Assessment]]) -> list[Span]:
    """Consecutive days with the same verdict merged into one span."""
    result: list[Span] = []
    for n, (day, a) in enumerate(points):
        end = points[n + 1][0] - DAY if n + 1 < len(points) else day
        reason = a.reason if a.rating is None else f"rated {a.rating.verdict} on {a.rating.date}: {a.rating.rationale}"
        if result and result[-1].verdict == a.verdict and result[-1].source == a.verdict_source:
            result[-1] = Span(result[-1].start, end, a.verdict, a.verdict_source, result[-1].reason)
        else:
            result.append(Span(day, end, a.verdict, a.verdict_source, reason))
    return result


def changes(points: list[tuple[dt.date, Assessment]]) -> list[Change]:
    """Verdict changes (the first verdict included) and each new piece of evidence, oldest first."""
    if not points:
        return []
    promise = points[-1][1].promise
    merged = spans(points)
    result = [Change(s.start, promise, "verdict", s.verdict, previous.verdict if previous else None, s.reason)
              for previous, s in zip([None, *merged], merged, strict=False)]
    result += [Change(e.event.date.last, promise, "evidence", evidence=e) for e in points[-1][1].evidence]
    return sorted(result, key=lambda c: (c.date, c.kind == "verdict", c.evidence.event.id if c.evidence else ""))
