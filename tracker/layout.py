"""Where each kind of record file lives in a records directory: the one home of the layout.

Every record is a file of its own, named without any coordination between writers, so
that two people on two branches never edit the same file unless they edit the same fact:

    CC/promises/ID.toml                                  a promise, with the statement that made it
    CC/promises/ID/statements/DATE-SLUG-HASH.toml        a restatement
    CC/promises/ID/ratings/DATE-VERDICT-HASH.toml        an editorial rating
    CC/promises/ID/links/XX/EVENT.toml                   the stance of one event on the promise
    CC/events/YYYY/MM/ID.toml                            an event (YYYY/ID.toml when its date has no month)
    CC/terms/ID.toml                                     an official's term of office

HASH is the start of the SHA-256 of the file's bytes, so the same fact written on two
branches gets the same name and bytes, and git takes it once. XX is the start of the
SHA-256 of the event's ID: a link's path depends only on the (event, promise) pair, so two
different stances for one pair on two branches are an add/add conflict in git, and a
promise with 100,000 linked events still has no folder of more than a few hundred files.

Loading finds everything by listing folders; there is no index file. Other modules ask
this one for paths, for the kind of a file from its place, and for the pattern that a
pre-commit hook matches.
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .dates import PartialDate
from .model import Problem

CONFIG_NAME = "tracker.toml"
NAME_HASH = 8  # hex digits of a content hash in a file name: 4 billion to one against a clash
SHARD_HASH = 2  # hex digits of the link folder: 256 folders below a promise's links/
MAX_SLUG = 32


@dataclass(frozen=True)
class Place:
    """A kind of record file and the shape of its path below the records directory.

    Each part is a literal folder name, or one of: CC (any folder, the country), ID (any
    folder name), YYYY (four digits), MM (two digits), XX (SHARD_HASH hex digits), and
    FILE (a name ending in .toml), which is always last.
    """

    kind: str
    parts: tuple[str, ...]


# The table of kinds. A new kind of record is one more line here.
PLACES: tuple[Place, ...] = (
    Place("promise", ("CC", "promises", "FILE")),
    Place("statement", ("CC", "promises", "ID", "statements", "FILE")),
    Place("rating", ("CC", "promises", "ID", "ratings", "FILE")),
    Place("link", ("CC", "promises", "ID", "links", "XX", "FILE")),
    Place("event", ("CC", "events", "YYYY", "MM", "FILE")),
    Place("event", ("CC", "events", "YYYY", "FILE")),
    Place("term", ("CC", "terms", "FILE")),
)

# The kinds that are records of their own, with an ID that is their file name.
TOP_KINDS = ("promise", "event", "term")
# The kinds that add to a promise or an event, filed below the promise they belong to.
PART_KINDS = ("statement", "rating", "link")

_MATCH: dict[str, Callable[[str], bool]] = {
    "CC": lambda name: True, "ID": lambda name: True,
    "YYYY": lambda name: len(name) == 4 and name.isdigit(),
    "MM": lambda name: len(name) == 2 and name.isdigit(),
    "XX": lambda name: len(name) == SHARD_HASH and all(c in "0123456789abcdef" for c in name),
    "FILE": lambda name: name.endswith(".toml"),
}
_REGEX = {"CC": "[^/]+", "ID": "[^/]+", "YYYY": "[0-9]{4}", "MM": "[0-9]{2}", "XX": f"[0-9a-f]{{{SHARD_HASH}}}",
          "FILE": r"[^/]+\.toml"}
_GLOB = {"CC": "*", "ID": "*", "YYYY": "[0-9][0-9][0-9][0-9]", "MM": "[0-9][0-9]", "XX": "*", "FILE": "*.toml"}

HINT = ("put promises in CC/promises/ID.toml, events in CC/events/YYYY/MM/ID.toml, terms of office in "
        "CC/terms/ID.toml, and a promise's statements, ratings and links in CC/promises/ID/statements/, "
        "ratings/ and links/XX/")


def kind_of_place(parts: list[str] | tuple[str, ...]) -> str | None:
    """The kind of record file at these path parts below the records directory, or None."""
    for place in PLACES:
        if _fits(place, parts):
            return place.kind
    return None


@functools.lru_cache(maxsize=4096)  # a listing asks for the same few names (years, months, shards) again and again
def name_shape(name: str) -> str:
    """What the table of places can tell about a folder's name: the name itself if some place names it,
    else a stand-in name that the same patterns (YYYY, MM, XX) match. Folders of one shape are of one kind."""
    return name if name in _LITERALS else _STAND_INS[_signature(name)]


@functools.lru_cache(maxsize=256)
def kind_of_folder(shapes: tuple[str, ...]) -> str | None:
    """The kind of a record file in a folder whose parts below the records directory have these shapes
    (name_shape): kind_of_place asked once per shape of folder, not once per file."""
    return kind_of_place([*shapes, "file.toml"])


def _signature(name: str) -> tuple[bool, bool, bool]:
    return _MATCH["YYYY"](name), _MATCH["MM"](name), _MATCH["XX"](name)


_LITERALS = frozenset(part for place in PLACES for part in place.parts if part not in _MATCH)
# One name for each set of patterns a name can match: a year; a month that is also a shard; a month in
# digits of another script; a shard; none of them.
_STAND_INS = {_signature(name): name for name in ("2019", "12", "\u0661\u0662", "ab", "1a2b")}


def country_index(parts: list[str] | tuple[str, ...]) -> int | None:
    """Where the country folder is among the parts of a record file's path, which may start above the records
    directory: the tail of the path that fits a place begins with it. None for a path that fits no place."""
    for place in PLACES:
        start = len(parts) - len(place.parts)
        if start >= 0 and _fits(place, parts[start:]):
            return start
    return None


def _fits(place: Place, parts: list[str] | tuple[str, ...]) -> bool:
    return len(parts) == len(place.parts) and all(
        _MATCH[want](name) if want in _MATCH else name == want for want, name in zip(place.parts, parts, strict=True))


def hook_regex() -> str:
    """The paths, relative to a repository, of every file `tracker check` reads: for a pre-commit hook."""
    shapes = sorted({"/".join(_REGEX.get(part, re.escape(part)) for part in place.parts) for place in PLACES})
    return rf"(^|/)({re.escape(CONFIG_NAME)}|{'|'.join(shapes)})$"


def globs(kind: str, name: str = "*") -> list[str]:
    """Glob patterns, relative to the records directory, for files of this kind named name.toml."""
    return ["/".join(f"{name}.toml" if part == "FILE" else _GLOB.get(part, part) for part in place.parts)
            for place in PLACES if place.kind == kind]


# ---------------------------------------------------------------------------
# Where a new record goes.

def promise_path(root: Path, country: str, ident: str) -> Path:
    return root / country.lower() / "promises" / f"{ident}.toml"


def event_folder(root: Path, country: str, date: PartialDate) -> Path:
    """CC/events/YYYY/MM, or CC/events/YYYY for a date of a year alone."""
    year = root / country.lower() / "events" / f"{date.year:04d}"
    return year / f"{date.month:02d}" if date.month else year


def event_path(root: Path, country: str, date: PartialDate, ident: str) -> Path:
    return event_folder(root, country, date) / f"{ident}.toml"


def term_path(root: Path, country: str, ident: str) -> Path:
    return root / country.lower() / "terms" / f"{ident}.toml"


def promise_folder(promise_file: Path) -> Path:
    """The folder of a promise's statements, ratings and links: beside its file, named by its ID."""
    return promise_file.with_suffix("")


def part_path(promise_file: Path, kind: str, date: PartialDate, slug: str, text: str) -> Path:
    """A statement's or rating's file: named by its date, a slug, and the hash of its bytes."""
    words = slugify(slug)
    if len(words) > MAX_SLUG:
        words = words[:MAX_SLUG + 1].rsplit("-", 1)[0]
    stem = "-".join(filter(None, (str(date), words, content_hash(text))))
    return promise_folder(promise_file) / f"{kind}s" / f"{stem}.toml"


def link_path(promise_file: Path, event: str) -> Path:
    """A link's file: its path depends on the event and the promise alone."""
    return promise_folder(promise_file) / "links" / shard(event) / f"{event}.toml"


def shard(event: str) -> str:
    return sha256(event.encode("utf-8")).hexdigest()[:SHARD_HASH]


def content_hash(text: str) -> str:
    return sha256(text.encode("utf-8")).hexdigest()[:NAME_HASH]


class Hash(Protocol):
    def hexdigest(self) -> str: ...


def _sha256() -> Callable[[bytes], Hash]:
    """hashlib.sha256, without hashlib's import, which loads OpenSSL: some 4 ms of every write's start-up, for
    a file name's hash. CPython's own SHA-256 (what hashlib itself falls back to: _sha2 from Python 3.12,
    _sha256 before), or hashlib's in a Python built without it. The same digests."""
    try:
        module = importlib.import_module("_sha2" if sys.version_info >= (3, 12) else "_sha256")
    except ImportError:
        import hashlib

        return hashlib.sha256
    own: Callable[[bytes], Hash] = module.sha256
    return own


sha256 = _sha256()


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens, transliterated from any script (Привет -> privet)."""
    return re.sub(r"[^a-z0-9]+", "-", transliterate(text).lower()).strip("-")


def transliterate(text: str) -> str:
    """Text in ASCII letters, by anyascii (ISC licence, every script Unicode has, no dependencies).

    Ideographs and syllables (Chinese, Japanese kana, Korean) come out as one run of capitalised
    syllables; each is set apart so that an ID reads as words (北京 -> bei jing, not beijing).
    """
    if text.isascii():
        return text
    from anyascii import anyascii  # only a write that derives an ID pays for it

    return "".join(f" {anyascii(char)} " if _syllabic(char) else anyascii(char) for char in text)


def _syllabic(char: str) -> bool:
    import unicodedata  # only a title in another script pays for it

    return not char.isascii() and unicodedata.name(char, "").startswith(
        ("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))


# ---------------------------------------------------------------------------
# What a path says about its record.

def owner(parts: list[str] | tuple[str, ...]) -> str:
    """The ID of the promise a statement, rating or link file belongs to (its folder's name)."""
    return parts[-4] if len(parts) >= 6 and parts[-3] == "links" else parts[-3]


def promise_file_of(path: str, sep: str = "/") -> str:
    """The path of the promise file that a statement, rating or link file at path belongs to."""
    parts = path.rsplit(sep, 3)  # the last three names are all it looks at: the folders above stay one string
    up = 3 if len(parts) >= 4 and parts[-3] == "links" else 2
    return sep.join(parts[:-up]) + ".toml"


def event_place_month(parts: list[str] | tuple[str, ...]) -> int | None:
    """The month folder an event file is in, or None when it is in a year folder."""
    return int(parts[-2]) if len(parts) >= 5 and parts[-4] == "events" else None


def depth(parts: list[str] | tuple[str, ...]) -> int:
    """How many folders below the records directory a file at these parts is."""
    return len(parts) - 1


def old_layout_warning(root: str, paths: tuple[str, ...]) -> Problem:
    """One warning for a whole directory still in the layout of one file per promise or event."""
    return Problem(root, f"{len(paths):,} file(s) are in the earlier layout, such as {paths[0]}; they are read "
                   "as they are, but restatements, ratings and links in them merge badly in git",
                   hint="run `tracker migrate` to convert the directory (docs/records.md)", level="warning")
