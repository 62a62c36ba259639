"""Talking to git: through the `git` executable, never a Python git library.

The records are plain files, so git already does the hard parts (history,
branches, merges). This module asks it questions and commits what the write
commands wrote. Reading a revision goes through `git ls-tree` and
`git cat-file --batch`, so the work tree is never touched.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import GitError as GitError, RevisionError as RevisionError, option  # re-exported, as gitrepo.GitError
from .load import MAX_BYTES
from .model import Problem, Records

WORK_TREE = "work tree"  # how the uncommitted state of the files is named in output


@dataclass(frozen=True)
class Commit:
    sha: str
    date: dt.datetime
    author: str
    subject: str


def run(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """`git ARGS` in cwd; its stdout, or GitError with the first line of git's complaint."""
    try:
        # C locale: git's messages are read below, and must not arrive translated.
        # Literal pathspecs: a records folder named `rec*` is that folder, never a pattern.
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False,
                              env={**os.environ, "LC_ALL": "C", "GIT_LITERAL_PATHSPECS": "1"})
    except FileNotFoundError:
        raise GitError("git is not installed (no `git` on PATH); install it from https://git-scm.com") from None
    if done.returncode != 0:
        # git's first line says what is wrong; the lines after it are hints on what to type next.
        lines = [line for line in done.stderr.decode("utf-8", "replace").splitlines()
                 if line.strip() and not line.startswith("hint:")]
        raise GitError(f"git {args[0]} failed: {lines[0] if lines else f'exit {done.returncode}'}")
    return done.stdout


def _existing(path: Path) -> Path:
    """The nearest folder that exists at or above path (a records folder may not exist yet, or any more)."""
    path = path.absolute()
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path


def top_level(path: Path) -> Path | None:
    """The root of the work tree that path is in, or None when it is in none."""
    try:
        out = run(_existing(path), "rev-parse", "--show-toplevel")
    except GitError as error:
        if "not a git repository" in str(error) or "must be run in a work tree" in str(error):
            return None
        raise
    return Path(out.decode().strip())


def require_work_tree(root: Path) -> Path:
    """The work tree's root, or GitError saying how to make one; called before anything is written."""
    top = top_level(root)
    if top is None:
        raise GitError(f"{root} is not inside a git work tree, so nothing can be committed; nothing was written. "
                       f"Run `git init`, or write without committing ({option('no_commit')})")
    return top


def records_prefix(root: Path, top: Path) -> str:
    """The records directory as a path inside the repository, such as 'records/' ('' at its root)."""
    rel = os.path.relpath(os.path.realpath(root.absolute()), top)
    if rel == "." or rel == "":
        return ""
    if rel.startswith(".."):
        raise GitError(f"{root} is outside the git work tree at {top}")
    return rel.replace(os.sep, "/") + "/"


def resolve(top: Path, revision: str) -> str:
    """The commit a revision names, or RevisionError."""
    if not revision.strip() or revision.startswith(("-", "^")):
        # ^REV means "not REV" to git, a range rather than one commit; -x would be read as an option.
        raise RevisionError(f"{revision!r} is not a revision; name one commit, such as HEAD, main or a commit ID")
    try:
        out = run(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except GitError:
        raise RevisionError(f"unknown revision {revision!r} in the repository at {top}; "
                            f"`git log` lists them") from None
    return out.decode().strip()


def init(root: Path) -> Path | None:
    """`git init` in root unless it is already inside a work tree; the existing work tree's root, or None."""
    top = top_level(root)
    if top is None:
        run(root, "init", "--quiet")
    return top


def check_git() -> None:
    """GitError now if git cannot be run, before a command writes anything."""
    run(Path.cwd(), "--version")


# ---------------------------------------------------------------------------
# Committing.

def commit_paths(root: Path, paths: Iterable[Path], message: str) -> str:
    """Stage exactly these paths and commit only them; whatever else was staged stays staged.

    `git commit --only -- PATHS` commits those paths' content and leaves the rest of
    the index as it was. New files must be known to git first, hence the `git add`.
    Writers of one repository take turns (a lock in its git folder), so that several at once
    all commit; if git refuses anyway, what was staged here is unstaged again before the error.
    """
    top = require_work_tree(root)
    rel = [os.path.relpath(os.path.realpath(p), top) for p in paths]
    with _commit_lock(top):
        run(top, "add", "--", *rel)
        try:
            run(top, "commit", "--quiet", "--only", "-m", message, "--", *rel)
        except GitError:
            _unstage(top, rel)
            raise
        return run(top, "rev-parse", "HEAD").decode().strip()


@contextmanager
def _commit_lock(top: Path) -> Iterator[None]:
    """One committing tracker at a time in this repository: git's own index lock makes the others fail."""
    folder = Path(top, run(top, "rev-parse", "--git-dir").decode().strip())
    descriptor = os.open(folder / "tracker-commit.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _unstage(top: Path, rel: list[str]) -> None:
    """Leave the index as it was found: the paths staged for a commit that failed are staged no more."""
    try:
        run(top, "reset", "--quiet", "--", *rel)
    except GitError:
        pass  # no HEAD yet, or the index is locked by someone else: the error already says it did not commit


# ---------------------------------------------------------------------------
# Reading a revision.

def read_tree(top: Path, commit: str, prefix: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    """Every file under prefix at commit as (path inside the records, blob ID), and files that were not read."""
    listing = run(top, "ls-tree", "-r", "-z", "--long", "--full-tree", commit, "--", prefix or ".")
    wanted: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for entry in filter(None, listing.split(b"\0")):
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, sha, size = meta.split()
        path = raw_path.decode("utf-8", "surrogateescape")
        where = f"{commit[:10]}:{path}"
        if kind != b"blob" or not path.endswith(".toml"):
            continue
        if mode == b"120000":
            problems.append(Problem(where, "is a link; it was not read", hint="replace the link with the file itself"))
        elif int(size) > MAX_BYTES:
            problems.append(Problem(where, f"is {int(size):,} bytes, over the {MAX_BYTES:,}-byte limit for a "
                                           "record; it was not read"))
        else:
            wanted.append((path[len(prefix):], sha.decode()))
    return wanted, problems


def _blobs(top: Path, shas: list[str]) -> list[bytes]:
    """The content of many blobs from one `git cat-file --batch`."""
    if not shas:
        return []
    out = run(top, "cat-file", "--batch", "--buffer", stdin="".join(f"{sha}\n" for sha in shas).encode())
    blobs, at = [], 0
    for _ in shas:
        header_end = out.index(b"\n", at)
        header = out[at:header_end].split()
        if len(header) != 3:  # "SHA missing": an incomplete (shallow or damaged) repository
            raise GitError(f"git cat-file: object {header[0].decode()} is missing from the repository")
        size = int(header[2])
        blobs.append(out[header_end + 1: header_end + 1 + size])
        at = header_end + 1 + size + 1  # content is followed by a newline
    return blobs


class Blobs:
    """Blobs read from one repository, kept by ID for the life of the process: a blob never changes, so
    nothing here is ever stale. Reading fifty commits reads each file's version once, and validate keeps
    each blob's checked result beside it (see validate.validate_blobs)."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.data: dict[str, bytes] = {}
        self.checked: dict[tuple[str, str], object] = {}  # (blob ID, path) -> validate's result for it
        self.kinds: dict[str, str | None] = {}  # path -> the kind of file its place says (layout.kind_of_place)

    def fetch(self, shas: list[str]) -> None:
        """Read every blob not read yet, in one `git cat-file --batch`."""
        missing = sorted({sha for sha in shas if sha not in self.data})
        self.data.update(zip(missing, _blobs(self.top, missing), strict=False))


_BLOBS: dict[Path, Blobs] = {}


def records_at(root: Path, revision: str, as_of: dt.date) -> Records:
    """load → validate for the records as they stood at a revision, read from git alone."""
    from .validate import validate_blobs

    top = _repository(root)
    commit = resolve(top, revision)
    prefix = records_prefix(root, top)
    files, problems = read_tree(top, commit, prefix)
    blobs = _BLOBS.setdefault(top, Blobs(top))
    # Problems name files as git does, REV:PATH, ending in the path the rules look at.
    return validate_blobs(files, blobs, problems, as_of, f"{commit[:10]}:{prefix or './'}", f"{root} at {revision}")


def commit_of(root: Path, revision: str) -> str:
    """The commit a revision names, in the repository the records are in."""
    return resolve(_repository(root), revision)


def _repository(root: Path) -> Path:
    top = top_level(root)
    if top is None:
        raise GitError(f"{root} is not inside a git work tree, so it has no revisions; run `git init` there")
    return top


# ---------------------------------------------------------------------------
# History.

def log(root: Path, paths: Iterable[str], revision: str = "HEAD") -> list[Commit]:
    """Commits reachable from revision that touched any of these paths (inside the records), oldest first.

    A path ending in / stands for everything below it. git is asked for every commit under the records
    with the files each changed, and the commits are chosen here: a promise with 40,000 linked events
    would otherwise be a command line too long for the system.
    """
    top = _repository(root)
    prefix = records_prefix(root, top)
    commit = resolve(top, revision)
    files = {f"{prefix}{p}" for p in paths if not p.endswith("/")}
    folders = tuple(f"{prefix}{p}" for p in paths if p.endswith("/"))
    out = run(top, "log", "-z", "--name-only", "--format=%x1e%H%x1f%cI%x1f%an%x1f%s", commit, "--", prefix or ".")
    commits = []
    for entry in filter(None, out.decode("utf-8", "surrogateescape").split("\x1e")):
        header, *changed = entry.split("\0")
        if any(name.strip("\n") in files or name.strip("\n").startswith(folders) for name in changed if name):
            sha, date, author, subject = header.split("\x1f")
            commits.append(Commit(sha, dt.datetime.fromisoformat(date), author, subject))
    return commits[::-1]
