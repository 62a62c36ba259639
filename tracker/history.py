"""How one promise's verdict and score changed: by the dates of its evidence, or by git revision."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from . import gitrepo, layout
from .changes import checkpoints
from .load import RecordsError
from .model import Config, Event, Link, Promise, Term
from .score import Assessment, assess, links_by_promise, terms_of


@dataclass(frozen=True)
class Step:
    """The promise as of a day on which something about it was dated, and what that was."""

    day: dt.date
    what: tuple[str, ...]
    assessment: Assessment | None  # None: not yet made by that day


def by_date(promise: Promise, linked: list[tuple[Event, Link]], config: Config, as_of: dt.date,
            terms: tuple[Term, ...] = ()) -> list[Step]:
    """The verdict as of each day its statements, evidence or ratings changed, up to as_of.

    The days are changes.checkpoints, the same the site's verdict over time uses, so the two always agree.
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
        if now and (before is None or _standing(before) != _standing(now)):
            steps.append(Step(day, (now.reason,), now))
    return steps


def _dated(promise: Promise, linked: list[tuple[Event, Link]]) -> dict[dt.date, tuple[str, ...]]:
    """What each statement, linked event and rating says, by the last day of its date."""
    dated: dict[dt.date, list[str]] = {}
    for n, statement in enumerate(sorted(promise.statements, key=lambda s: s.date.sort_key())):
        dated.setdefault(statement.date.last, []).append(("made" if n == 0 else "restated") + f" {statement.date}")
    for event, link in sorted(linked, key=lambda pair: (pair[0].date.sort_key(), pair[0].id)):
        dated.setdefault(event.date.last, []).append(f"{event.id} {link.stance}")
    for rating in promise.ratings:
        dated.setdefault(rating.date.last, []).append(f"rated {rating.verdict}")
    return {day: tuple(what) for day, what in dated.items()}


def _standing(a: Assessment) -> tuple[str, str, int | None]:
    return a.verdict, a.verdict_source, a.score


@dataclass(frozen=True)
class Revision:
    """The promise as the records stood at one commit that touched its files."""

    commit: gitrepo.Commit
    as_of: dt.date
    assessment: Assessment | None
    note: str | None  # why there is no assessment


def by_revision(root: Path, promise: Promise, linked: list[tuple[Event, Link]],
                as_of: dt.date | None) -> list[Revision]:
    """The verdict at each commit that touched the promise's files or a linked event's file, oldest first.

    The files are those of the records now; each commit is read from git whole and
    validated, so a verdict is never taken from records that had errors. Each is scored
    as of its commit's date unless as_of is given: what a report said that day.
    """
    paths = sorted({os.path.relpath(path, root).replace(os.sep, "/")
                    for path in (promise.path, *(event.path for event, _ in linked))})
    # The promise's own folder holds its restatements, ratings and links.
    paths.append(os.path.relpath(layout.promise_folder(Path(promise.path)), root).replace(os.sep, "/") + "/")
    return [_at(root, promise.id, commit, as_of or commit.date.date()) for commit in gitrepo.log(root, paths)]


def _at(root: Path, ident: str, commit: gitrepo.Commit, as_of: dt.date) -> Revision:
    try:
        records = gitrepo.records_at(root, commit.sha, as_of)
    except RecordsError:
        return Revision(commit, as_of, None, "no records directory at this commit")
    if records.errors:
        return Revision(commit, as_of, None, f"{len(records.errors)} error(s) in the records at this commit")
    promise = next((p for p in records.promises if p.id == ident), None)
    if promise is None:
        return Revision(commit, as_of, None, "no such promise at this commit")
    assessment = assess(promise, links_by_promise(records).get(ident, []), records.config, as_of,
                        terms_of(records, promise))
    return Revision(commit, as_of, assessment, None if assessment else f"not yet made by {as_of}")
