"""How verdicts change between two sets of assessments (two revisions, or a revision and the files).

Pure functions over score.Assessment; where the assessments come from (a git
revision, the files) is the caller's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .dates import PartialDate
from .model import Rating
from .score import Assessment, Evidence, counts_by

T = TypeVar("T")


@dataclass(frozen=True)
class PromiseDiff:
    """What differs for one promise between before and after (either may be None: added or removed)."""

    id: str
    before: Assessment | None
    after: Assessment | None
    evidence_added: tuple[Evidence, ...]
    evidence_removed: tuple[Evidence, ...]
    statements_added: tuple[PartialDate, ...]
    statements_removed: tuple[PartialDate, ...]
    ratings_added: tuple[Rating, ...]
    ratings_removed: tuple[Rating, ...]

    @property
    def kind(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None else "changed"

    @property
    def title(self) -> str:
        return (self.after or self.before).promise.title  # type: ignore[union-attr]

    @property
    def verdicts(self) -> tuple[str | None, str | None]:
        return (self.before.verdict if self.before else None, self.after.verdict if self.after else None)

    @property
    def scores(self) -> tuple[int | None, int | None]:
        return (self.before.score if self.before else None, self.after.score if self.after else None)

    @property
    def verdict_changed(self) -> bool:
        """A promise added or removed changes a published verdict too."""
        return self.verdicts[0] != self.verdicts[1]


def evidence_key(evidence: Evidence) -> tuple[str, str, float, bool]:
    """Evidence is the same if the same event bears on the promise in the same way, whatever file it came from."""
    return (evidence.event.id, evidence.link.stance, evidence.weight, evidence.scored)


def _minus(these: tuple[T, ...], those: tuple[T, ...], key: Callable[[T], Any] = lambda item: item) -> tuple[T, ...]:
    """Items of these that are not in those (by key), in their order."""
    known = {key(item) for item in those}
    return tuple(item for item in these if key(item) not in known)


def diff_of(ident: str, before: Assessment | None, after: Assessment | None) -> PromiseDiff:
    def parts(a: Assessment | None) -> tuple[tuple[Evidence, ...], tuple[PartialDate, ...], tuple[Rating, ...]]:
        if a is None:
            return (), (), ()
        return a.evidence, a.statements, tuple(r for r in a.promise.ratings if counts_by(r.date, a.as_of))

    (ev_a, st_a, ra_a), (ev_b, st_b, ra_b) = parts(before), parts(after)
    return PromiseDiff(ident, before, after, _minus(ev_b, ev_a, evidence_key), _minus(ev_a, ev_b, evidence_key),
                  _minus(st_b, st_a), _minus(st_a, st_b), _minus(ra_b, ra_a), _minus(ra_a, ra_b))


def compare(before: list[Assessment], after: list[Assessment]) -> list[PromiseDiff]:
    """Every promise whose verdict, score or evidence differs, in ID order."""
    old = {a.promise.id: a for a in before}
    new = {a.promise.id: a for a in after}
    changes = [diff_of(ident, old.get(ident), new.get(ident)) for ident in sorted(old.keys() | new.keys())]
    return [c for c in changes if c.kind != "changed" or c.verdict_changed or c.scores[0] != c.scores[1]
            or c.evidence_added or c.evidence_removed or c.statements_added or c.statements_removed
            or c.ratings_added or c.ratings_removed]


def summary(changes: list[PromiseDiff]) -> dict[str, int]:
    return {"added": sum(c.kind == "added" for c in changes),
            "removed": sum(c.kind == "removed" for c in changes),
            "verdicts_changed": sum(c.kind == "changed" and c.verdict_changed for c in changes),
            "scores_changed": sum(c.kind == "changed" and c.scores[0] != c.scores[1] for c in changes),
            "evidence_only": sum(c.kind == "changed" and not c.verdict_changed and c.scores[0] == c.scores[1]
                                 for c in changes)}
