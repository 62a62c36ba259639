"""A catalogue of hostile and broken records.

Each one is added to a copy of the shipped records. `check` must name the file (and the
line, where there is one) in one message, and `report` must refuse with exit 1 and print
nothing on stdout rather than score partial data. No case may raise a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import run_tracker, snapshot

from tracker.load import MAX_BYTES

EVENT = """\
id = "{ident}"
country = "KZ"
date = 2019-05-01
title = "A protest in Almaty"
sources = ["https://example.org/report"]
"""

PROMISE = """\
id = "{ident}"
country = "KZ"
official = "Kassym-Jomart Tokayev"
title = "Free the press"

[[statements]]
date = 2019-06-12
sources = ["https://example.org/speech"]
"""


def event(ident: str, extra: str = "") -> bytes:
    return (EVENT.format(ident=ident) + extra).encode()


@dataclass(frozen=True)
class Case:
    """A broken record: where it goes, how it is made, and what `check` must say about it."""

    name: str
    path: str  # under the records directory
    make: Callable[[Path], None]
    says: str  # a fragment of the one message about the file
    line: int | None  # the line the message must name (None: the message names no line)
    level: str = "error"


def write(relative: str, data: bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    return make


def sparse(relative: str, size: int) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        with open(root / relative, "wb") as handle:
            handle.truncate(size)

    return make


def link_to_outside(relative: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        secret = root.parent / "secret.toml"
        secret.write_text('password = "hunter2"\n')
        os.symlink(secret, root / relative)

    return make


E = "kz/events/2019/"
P = "kz/promises/"

CASES = [
    Case("invalid-utf8", E + "kz-2019-bad-bytes.toml",
         write(E + "kz-2019-bad-bytes.toml",
               event("kz-2019-bad-bytes", 'notes = "caf\xc3"\n').replace(b"\xc3\x83", b"\xc3")),
         "is not valid UTF-8", 6),
    Case("bom", E + "kz-2019-bom.toml", write(E + "kz-2019-bom.toml", b"\xef\xbb\xbf" + event("kz-2019-bom")),
         "byte-order mark", 1),
    Case("empty", E + "kz-2019-empty.toml", write(E + "kz-2019-empty.toml", b""), "is empty", 1),
    Case("blank", E + "kz-2019-blank.toml", write(E + "kz-2019-blank.toml", b"\n  \n\t\n"), "is empty", 1),
    Case("50-megabytes", E + "kz-2019-huge.toml", sparse(E + "kz-2019-huge.toml", 50 * 1024 * 1024),
         f"over the {MAX_BYTES:,}-byte limit", None),
    Case("nested-arrays", E + "kz-2019-deep.toml",
         write(E + "kz-2019-deep.toml", event("kz-2019-deep", "x = " + "[" * 100_000 + "]" * 100_000 + "\n")),
         "nested too deeply", None),
    Case("nested-tables", E + "kz-2019-deep-tables.toml",
         write(E + "kz-2019-deep-tables.toml", event("kz-2019-deep-tables", "[" + ".".join(["t"] * 50_000) + "]\n")),
         "nested too deeply", None),
    Case("nested-inline-tables", E + "kz-2019-deep-inline.toml",
         write(E + "kz-2019-deep-inline.toml",
               event("kz-2019-deep-inline", "x = " + "{a=" * 50_000 + "1" + "}" * 50_000)),
         "nested too deeply", None),
    Case("duplicate-key", E + "kz-2019-twice.toml",
         write(E + "kz-2019-twice.toml", event("kz-2019-twice", 'title = "Another title"\n')),
         "is not valid TOML: Cannot overwrite a value", 6),
    Case("duplicate-table", E + "kz-2019-two-counts.toml",
         write(E + "kz-2019-two-counts.toml",
               event("kz-2019-two-counts", "\n[counts]\ndetained = 1\n\n[counts]\nfined = 2\n")),
         "Cannot declare ('counts',) twice", 10),
    Case("date-as-words", E + "kz-2019-word-date.toml",
         write(E + "kz-2019-word-date.toml", event("kz-2019-word-date").replace(b"2019-05-01", b'"May 2019"')),
         "date: 'May 2019' is not a date", 3),
    Case("date-as-number", E + "kz-2019-number-date.toml",
         write(E + "kz-2019-number-date.toml", event("kz-2019-number-date").replace(b"2019-05-01", b"20190501")),
         "date: expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got a number", 3),
    Case("list-for-string", E + "kz-2019-list-title.toml",
         write(E + "kz-2019-list-title.toml",
               event("kz-2019-list-title").replace(b'"A protest in Almaty"', b'["A protest", "in Almaty"]')),
         "title: expected a string, got a list", 4),
    Case("string-for-number", E + "kz-2019-text-count.toml",
         write(E + "kz-2019-text-count.toml", event("kz-2019-text-count", '\n[counts]\ndetained = "about 100"\n')),
         "counts.detained: must be a whole number from 0 to 1000000000000, got 'about 100'", 8),
    Case("unknown-field", E + "kz-2019-typo.toml",
         write(E + "kz-2019-typo.toml", event("kz-2019-typo", 'lcoation = "Almaty"\n')),
         "lcoation: unknown field, ignored", 6, level="warning"),
    Case("id-not-file-name", E + "kz-2019-named.toml", write(E + "kz-2019-named.toml", event("kz-2019-other")),
         "id: is 'kz-2019-other' but the file is named kz-2019-named.toml", 1),
    Case("wrong-case-link", E + "kz-2019-shouting.toml",
         write(E + "kz-2019-shouting.toml",
               event("kz-2019-shouting", '\n[[links]]\npromise = "KZ-Assembly-Law"\nstance = "contradicts"\n')),
         "links[0].promise: no promise has the ID 'KZ-Assembly-Law'", 8),
    Case("unknown-stance", E + "kz-2019-stance.toml",
         write(E + "kz-2019-stance.toml",
               event("kz-2019-stance", '\n[[links]]\npromise = "kz-assembly-law"\nstance = "violates"\n')),
         "links[0].stance: 'violates' is not a stance", 9),
    Case("unknown-stance-inline", E + "kz-2019-inline.toml",
         write(E + "kz-2019-inline.toml",
               event("kz-2019-inline", 'links = [{promise = "kz-assembly-law", stance = "ignores"}]\n')),
         "links[0].stance: 'ignores' is not a stance", 6),
    Case("future-date", "kz/events/2031/kz-2031-future.toml",
         write("kz/events/2031/kz-2031-future.toml", event("kz-2031-future").replace(b"2019-05-01", b"2031-05-01")),
         "date: 2031-05-01 is after 2020-01-01; it is not counted until then", 3, level="warning"),
    Case("future-restatement", P + "kz-press.toml",
         write(P + "kz-press.toml",
               (PROMISE.format(ident="kz-press") + "\n[[statements]]\ndate = 2030-01-01\n").encode()),
         "statements[1].date: 2030-01-01 is after 2020-01-01", 11, level="warning"),
    Case("link-outside", E + "kz-2019-secret.toml", link_to_outside(E + "kz-2019-secret.toml"),
         "is a link to a file outside the records directory", None),
    Case("config-link-outside", "tracker.toml",
         lambda root: ((root / "tracker.toml").unlink(), link_to_outside("tracker.toml")(root)),
         "is a link to a file outside the records directory", None),
    Case("unexpected-place", "kz/kz-2019-stray.toml", write("kz/kz-2019-stray.toml", event("kz-2019-stray")),
         "is in an unexpected place", None),
    Case("year-folder-not-a-year", "kz/events/19/kz-2019-short.toml",
         write("kz/events/19/kz-2019-short.toml", event("kz-2019-short")), "is in an unexpected place", None),
    Case("javascript-url", E + "kz-2019-script.toml",
         write(E + "kz-2019-script.toml", event("kz-2019-script").replace(b"https://example.org/report",
                                                                            b"javascript:alert(document.cookie)")),
         "sources: 'javascript:alert(document.cookie)' is not an http or https URL", 5),
    Case("file-url", E + "kz-2019-file.toml",
         write(E + "kz-2019-file.toml", event("kz-2019-file").replace(b"https://example.org/report", b"file:///etc/passwd")),
         "sources: 'file:///etc/passwd' is not an http or https URL", 5),
    Case("data-url", E + "kz-2019-data.toml",
         write(E + "kz-2019-data.toml", event("kz-2019-data").replace(b"https://example.org/report",
                                                                        b"data:text/html,<script>alert(1)</script>")),
         "is not an http or https URL", 5),
]


def messages_about(stderr: str, relative: str) -> list[str]:
    """The problem lines (not the indented excerpt and hint lines) that name this file."""
    return [line for line in stderr.splitlines()
            if not line.startswith(" ") and re.match(re.escape(f"records/{relative}") + r"(:\d+)?: ", line)]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_check_names_the_file_and_line_once(tracker, kz, case):
    case.make(kz)
    result = tracker("check", "--as-of", "2020-01-01", code=1 if case.level == "error" else 0)
    (message,) = messages_about(result.stderr, case.path)
    where = f"records/{case.path}" + (f":{case.line}" if case.line else "")
    prefix = "warning: " if case.level == "warning" else ""
    assert message.startswith(f"{where}: {prefix}"), message
    assert case.says in message
    if case.line:
        text = (kz / case.path).read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
        shown = f"  {case.line} | "
        excerpts = [line for line in result.stderr.splitlines() if line.startswith(shown)]
        assert not excerpts or excerpts[0][len(shown):] in text.splitlines()[case.line - 1]


@pytest.mark.parametrize("case", [c for c in CASES if c.level == "error"], ids=lambda case: case.name)
def test_report_refuses_rather_than_print_part(tracker, kz, case):
    case.make(kz)
    result = tracker("report", "--as-of", "2020-01-01", code=1)
    assert result.stdout == ""
    assert messages_about(result.stderr, case.path)
    assert "nothing was reported" in result.stderr
    for fmt in ("json", "csv", "markdown"):
        assert tracker("report", "--as-of", "2020-01-01", "--format", fmt, code=1).stdout == ""


@pytest.mark.parametrize("case", [c for c in CASES if c.level == "warning"], ids=lambda case: case.name)
def test_warnings_do_not_stop_the_report(tracker, kz, case):
    case.make(kz)
    assert "kz-assembly-law" in tracker("report", "--as-of", "2020-01-01").stdout


def test_unknown_field_points_to_the_likely_typo(tracker, kz):
    (kz / E / "kz-2019-typo.toml").write_bytes(event("kz-2019-typo", 'sevrity = 3\n'))
    stderr = tracker("check", "--as-of", "2020-01-01").stderr
    assert "hint: did you mean 'severity'?" in stderr


def test_two_files_with_one_id_are_both_named(tracker, kz):
    for year in ("2018", "2019"):
        write(f"kz/events/{year}/kz-same.toml", event("kz-same").replace(b"2019-05-01", f"{year}-05-01".encode()))(kz)
    result = tracker("check", code=1)
    first, second = (messages_about(result.stderr, f"kz/events/{year}/kz-same.toml") for year in ("2018", "2019"))
    assert len(first) == len(second) == 1
    assert "also used by records/kz/events/2019/kz-same.toml" in first[0]
    assert "also used by records/kz/events/2018/kz-same.toml" in second[0]
    assert tracker("report", code=1).stdout == ""


def test_crlf_line_endings_load(tracker, kz):
    for path in kz.rglob("*.toml"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert "0 errors, 0 warnings" in tracker("check").stderr
    report = tracker("report", "--as-of", "2019-09-30", "--format", "json").stdout
    assert '"verdict": "contradicted"' in report


def test_a_pipe_is_not_read(kz):
    os.mkfifo(kz / E / "kz-2019-pipe.toml")
    result = run_tracker("check", cwd=kz.parent, timeout=60)  # a reader that opened the pipe would wait forever
    assert result.returncode == 1
    (message,) = messages_about(result.stderr, E + "kz-2019-pipe.toml")
    assert "is not a regular file" in message


def test_links_inside_the_records_are_followed(tracker, kz):
    os.symlink(kz / "kz/events/2019/09/kz-2019-09-21-dvk-rally.toml", kz / "kz/events/2019/09/alias.toml")
    result = tracker("check", code=1)
    # Read as a record (so its id is checked against its name), not refused as a link out.
    assert "id: is 'kz-2019-09-21-dvk-rally' but the file is named alias.toml" in result.stderr


def test_the_secret_behind_a_link_is_never_shown(tracker, kz):
    link_to_outside(E + "kz-2019-secret.toml")(kz)
    result = tracker("check", code=1)
    assert "hunter2" not in result.output
    assert "hunter2" not in tracker("report", code=1).output


def test_a_key_given_twice_says_so(tracker, kz):
    write(E + "kz-2019-twice.toml", event("kz-2019-twice", 'title = "Another title"\n'))(kz)
    assert "hint: this key or table is already given above; keep one of them" in tracker("check", code=1).stderr


def test_import_of_deeply_nested_json_is_refused(tracker, kz):
    Path("deep.json").write_text("[" * 100_000 + "]" * 100_000)
    before = snapshot(kz)
    assert "deep.json: is not valid JSON: it is nested too deeply" in tracker("import", "events", "deep.json",
                                                                             code=1).stderr
    assert snapshot(kz) == before
