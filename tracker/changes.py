"""How a promise's verdict moved over time, and what changed when: for the site's strip and feed, and
for `tracker history` by the dates of the evidence (by git revision: see revisions).

Nothing here scores anything itself: each point in time is `score.assess` as of that day (for
the site, assess_days gives the same for many days at once, by the same rules of score), so the
history can never disagree with the method.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any

from .dates import PartialDate
from .model import Config, Event, Link, Promise, Term
from .score import (
    Assessment,
    Due,
    Evidence,
    assess,
    computed_verdict,
    counts_by,
    due_of,
    evidence_of,
    in_order,
    ratings_by,
    score_of,
    statements_by,
)

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
class Milestone:
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


def verdict_points(promise: Promise, linked: list[tuple[Event, Link]], config: Config,
            as_of: dt.date, terms: tuple[Term, ...] = ()) -> list[tuple[dt.date, Assessment]]:
    """The assessment as of each checkpoint, oldest first; as_of itself is always the last."""
    days = [day for day in checkpoints(promise, linked, config, as_of, terms) if day < as_of] + [as_of]
    assessed = assess_days(promise, linked, config, days, terms)
    return [(day, a) for day, a in zip(days, assessed, strict=True) if a is not None]


def assess_days(promise: Promise, linked: list[tuple[Event, Link]], config: Config, days: list[dt.date],
                terms: tuple[Term, ...] = ()) -> list[Assessment | None]:
    """[score.assess(promise, linked, config, day, terms) for day in days], equal in every field, at a
    fraction of the cost when days run from old to new.

    A promise has a checkpoint for about every linked event, so assessing each day afresh sorts and
    weighs its evidence again and again: the square of its evidence. Here the sort and the weights are
    worked out once, each piece of evidence is put in its place on the day it comes to count, and each
    day applies the method's own rules (statements_by, due_of, computed_verdict, score_of, ratings_by)
    to what counts by then. tests/test_site.py holds it equal to assess.
    """
    ordered = in_order(linked)
    # The order in which they come to count (counts_by: by the last day of their dates).
    arrivals = sorted(range(len(ordered)), key=lambda n: ordered[n][0].date.last)
    due: tuple[tuple[PartialDate, ...], Due | None] = ((), None)  # the statements of the day before, and due_of
    counted = _Counted(ordered, config, None)
    result: list[Assessment | None] = []
    for day in days:
        statements = tuple(s.date for s in statements_by(promise, day))
        if not statements:
            result.append(None)
            continue
        made = statements[0]
        if counted.made is None or made.first != counted.made.first or day < counted.day:  # scored afresh
            counted = _Counted(ordered, config, made)
        while counted.size < len(arrivals) and counts_by(ordered[arrivals[counted.size]][0].date, day):
            counted.add(arrivals[counted.size])
        counted.day = day
        # The same weights added in the same order as assess adds them: the same floating-point sums.
        support, against = sum(counted.weights["support"]), sum(counted.weights["against"])
        if statements != due[0]:  # the same statements as the day before, most days: compared, not hashed
            due = statements, due_of(promise, statements, terms, config)
        verdict, reason = computed_verdict(made, list(counted.scored), support, against, config, day, due[1])
        ratings = ratings_by(promise, day)
        result.append(Assessment(promise, day, statements, tuple(counted.evidence), support, against,
                                 score_of(support, against), verdict, reason, ratings[-1] if ratings else None,
                                 due[1]))
    return result


class _Counted:
    """The evidence that counts by a day, in the order assess gives it, for one made date (which decides
    whether each piece is scored). Each list is kept sorted by position in `ordered`, with a list of
    those positions beside it to find where the next piece goes."""

    def __init__(self, ordered: list[tuple[Event, Link]], config: Config, made: PartialDate | None) -> None:
        self.ordered, self.config, self.made, self.day = ordered, config, made, dt.date.min
        self.size = 0
        self.evidence: list[Evidence] = []
        self.scored: list[Evidence] = []
        self.weights: dict[str, list[float]] = {"support": [], "against": []}  # of the scored evidence, by side
        self._at: dict[str, list[int]] = {"all": [], "scored": [], "support": [], "against": []}

    def add(self, n: int) -> None:
        assert self.made is not None  # add() is called only for a day on which the promise was made
        e = evidence_of(*self.ordered[n], self.config, self.made)
        self._insert("all", n, self.evidence, e)
        if e.scored:
            self._insert("scored", n, self.scored, e)
            if e.side in self.weights:
                self._insert(e.side, n, self.weights[e.side], e.weight)
        self.size += 1

    def _insert(self, name: str, n: int, values: list[Any], value: Any) -> None:
        at = bisect.bisect(self._at[name], n)
        self._at[name].insert(at, n)
        values.insert(at, value)


def spans(points: list[tuple[dt.date, Assessment]]) -> list[Span]:
    """Consecutive days with the same verdict merged into one span."""
    states = [(a.verdict, a.verdict_source) for _, a in points]
    starts = [n for n, state in enumerate(states) if n == 0 or state != states[n - 1]]
    result: list[Span] = []
    for n, stop in zip(starts, [*starts[1:], len(points)], strict=True):
        day, a = points[n]
        end = points[stop][0] - DAY if stop < len(points) else points[-1][0]
        reason = a.reason if a.rating is None else f"rated {a.rating.verdict} on {a.rating.date}: {a.rating.rationale}"
        result.append(Span(day, end, *states[n], reason))
    return result


def milestones(points: list[tuple[dt.date, Assessment]], merged: list[Span] | None = None) -> list[Milestone]:
    """Verdict changes (the first verdict included) and each new piece of evidence, oldest first.

    merged: spans(points), when the caller has them already."""
    if not points:
        return []
    promise = points[-1][1].promise
    merged = spans(points) if merged is None else merged
    result = [Milestone(s.start, promise, "verdict", s.verdict, previous.verdict if previous else None, s.reason)
              for previous, s in zip([None, *merged], merged, strict=False)]
    result += [Milestone(e.event.date.last, promise, "evidence", evidence=e) for e in points[-1][1].evidence]
    return sorted(result, key=lambda c: (c.date, c.kind == "verdict", c.evidence.event.id if c.evidence else ""))


@dataclass(frozen=True)
class Step:
    """The promise as of a day on which something about it was dated, and what that was."""

    day: dt.date
    what: tuple[str, ...]
    assessment: Assessment | None  # None: not yet made by that day


def by_date(promise: Promise, linked: list[tuple[Event, Link]], config: Config, as_of: dt.date,
            terms: tuple[Term, ...] = ()) -> list[Step]:
    """The verdict as of each day its statements, evidence or ratings changed, up to as_of.

    The days are the checkpoints, the same the site's verdict over time uses, so the two always agree.
    A partial date counts from its last day, as in the scoring. A day on which time alone moved the
    verdict (a deadline passed, a pledge stalled) is a step when the verdict did move, and says why.
    """
    dated = _dated(promise, linked)
    steps: list[Step] = []
    for day in checkpoints(promise, linked, config, as_of, terms):
        now = assess(promise, linked, config, day, terms)
        if day in dated:
            steps.append(Step(day, dated[day], now))
            continue
        before = steps[-1].assessment if steps else None
        if now and (before is None or _verdict_state(before) != _verdict_state(now)):
            steps.append(Step(day, (now.reason,), now))
    return steps


def _dated(promise: Promise, linked: list[tuple[Event, Link]]) -> dict[dt.date, tuple[str, ...]]:
    """What each statement, linked event and rating says, by the last day of its date."""
    dated: dict[dt.date, list[str]] = {}
    for n, statement in enumerate(sorted(promise.statements, key=lambda s: s.date.sort_key())):
        dated.setdefault(statement.date.last, []).append(("made" if n == 0 else "restated") + f" {statement.date}")
    for event, link in in_order(linked):
        dated.setdefault(event.date.last, []).append(f"{event.id} {link.stance}")
    for rating in promise.ratings:
        dated.setdefault(rating.date.last, []).append(f"rated {rating.verdict}")
    return {day: tuple(what) for day, what in dated.items()}


def _verdict_state(a: Assessment) -> tuple[str, str, int | None]:
    return a.verdict, a.verdict_source, a.score
