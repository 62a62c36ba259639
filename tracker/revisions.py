"""How one promise's verdict stood at each git commit that touched its files (`tracker history --revisions`).

The git reading is gitrepo's; each commit's records are scored as the files would be.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from . import gitrepo, layout
from .load import RecordsError
from .model import Event, Link, Promise
from .score import Assessment, assess, links_by_promise, terms_of


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
    return [_assess_at(root, promise.id, commit, as_of or commit.date.date()) for commit in gitrepo.log(root, paths)]


def _assess_at(root: Path, ident: str, commit: gitrepo.Commit, as_of: dt.date) -> Revision:
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
