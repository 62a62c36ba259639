"""Property-based and fuzz tests of loading, writing and scoring.

Record documents are built from the field table (tracker.fields) and then mutated; raw bytes
are thrown at the loader too. TRACKER_HYPOTHESIS_EXAMPLES sets how many examples each test
tries (CI default below).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import tomli_w
from helpers import SHIPPED, snapshot
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from tracker.dates import parse_date
from tracker.fields import EVENT, PROMISE, Field
from tracker.model import Records
from tracker.score import report
from tracker.validate import load_records
from tracker.vocabulary import COUNTS, STANCES, VERDICTS

EXAMPLES = int(os.environ.get("TRACKER_HYPOTHESIS_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# ---------------------------------------------------------------------------
# Values of each kind in the field table, mostly plausible, sometimes not.

# Record text: any character but control characters (refused everywhere, tested in test_terminal_safety and
# test_safety), plus the tab and line feed that are allowed.
TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from(["\t", "\n"]), max_size=40)
LINE = TEXT.filter(lambda s: "\n" not in s and s.strip())
SLUG = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
PARTIAL = st.one_of(
    st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1990, 2035), st.integers(1, 12)),
    st.integers(1990, 2035).map(str),
)
URL = st.one_of(st.from_regex(r"https?://[a-z]{1,10}\.org(/[a-z0-9]{0,8})?", fullmatch=True),
                st.sampled_from(["javascript:alert(1)", "file:///etc/passwd", "data:,x", "ftp://x.org"]))
ANY = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT | st.dates(),
                   lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                   max_leaves=6).filter(lambda v: v is not None)


def value_of(field: Field) -> st.SearchStrategy[Any]:
    by_kind: dict[str, st.SearchStrategy[Any]] = {
        "text": st.sampled_from(field.choices) if field.choices else TEXT, "line": LINE, "slug": SLUG,
        "country": st.sampled_from(["KZ", "kz", "XX", "US"]), "texts": st.lists(TEXT, max_size=3),
        "urls": st.lists(URL, max_size=2), "date": PARTIAL,
        "integer": st.integers(field.minimum or 0, field.maximum or 10 ** 6), "number": st.floats(0, 10),
        "boolean": st.booleans(),
        "table": st.fixed_dictionaries({}, optional={f.name: value_of(f) for f in field.fields}),
        "tables": st.lists(document(field.fields), min_size=1, max_size=3),
    }
    return by_kind[field.kind]


def document(fields: tuple[Field, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """A table that follows the field table: required fields always, optional ones sometimes."""
    return st.fixed_dictionaries({f.name: value_of(f) for f in fields if f.required},
                                 optional={f.name: value_of(f) for f in fields if not f.required})


@st.composite
def mutated(draw: st.DrawFn, fields: tuple[Field, ...]) -> bytes:
    """A schema-built record, then broken at the value level and the text level."""
    data = draw(document(fields))
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["drop", "retype", "add"]))
        if action == "drop" and data:
            del data[draw(st.sampled_from(sorted(data)))]
        elif action == "retype" and data:
            data[draw(st.sampled_from(sorted(data)))] = draw(ANY)
        elif action == "add":
            data[draw(TEXT)] = draw(ANY)
    try:
        raw = bytearray(tomli_w.dumps(data).encode())
    except (TypeError, ValueError):  # a mix TOML cannot write, such as a list of tables and numbers
        assume(False)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate-line", "crlf"]))
        if action == "insert":
            raw[at:at] = draw(st.sampled_from([b"\xff", b"\x00", b"\r", b"\n", b"[", b"]", b"=", b'"', b"\xef\xbb\xbf",
                                               b"[[links]]\n", b"[counts]\n", b"a.b = 1\n", b"\\", b"'''"]))
        elif action == "delete" and raw:
            del raw[at:at + draw(st.integers(1, 8))]
        elif action == "duplicate-line":
            lines = bytes(raw).split(b"\n")
            where = draw(st.integers(0, len(lines) - 1))
            raw = bytearray(b"\n".join(lines[:where + 1] + lines[where:]))
        else:
            raw = bytearray(bytes(raw).replace(b"\n", b"\r\n"))
    return bytes(raw)


# ---------------------------------------------------------------------------
# The loader: every input gives Records and Problems, never an exception.

def run_check_and_report(tracker) -> None:
    """check exits 0 or 1; report agrees with it, and refuses with nothing on stdout when there are errors."""
    checked = tracker("check", "--as-of", "2020-01-01", code=None)
    assert checked.exit_code in (0, 1), checked.output
    reported = tracker("report", "--as-of", "2020-01-01", "--format", "json", code=None)
    assert reported.exit_code == checked.exit_code, reported.output
    if reported.exit_code:
        assert reported.stdout == ""
    else:
        json.loads(reported.stdout)


@FUZZ
@given(data=mutated(EVENT))
def test_mutated_events_never_crash(tracker, kz, data):
    (kz / "kz" / "events" / "2019" / "kz-fuzzed.toml").write_bytes(data)
    run_check_and_report(tracker)


@FUZZ
@given(data=mutated(PROMISE))
def test_mutated_promises_never_crash(tracker, kz, data):
    (kz / "kz" / "promises" / "kz-fuzzed.toml").write_bytes(data)
    run_check_and_report(tracker)


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash(kz, data):
    (kz / "kz" / "events" / "2019" / "kz-bytes.toml").write_bytes(data)
    (kz / "kz" / "promises" / "kz-bytes.toml").write_bytes(data)
    records = load_records(kz, dt.date(2020, 1, 1))
    named = {p.path for p in records.problems}
    loaded = {r.path for r in (*records.promises, *records.events)}
    for path in ("kz/events/2019/kz-bytes.toml", "kz/promises/kz-bytes.toml"):
        assert str(kz / path) in named | loaded  # each file is a record, or is named in a problem


# ---------------------------------------------------------------------------
# Writing: what add-event, add-promise, restate and rate write loads back equal.

WEB = st.from_regex(r"https://[a-z]{1,10}\.org/[a-z0-9]{0,8}", fullmatch=True)


def write(tracker, root: Path, *args: str) -> str | None:
    """Run a write command: it is refused with nothing written (None), or it prints the record's ID."""
    before = snapshot(root)
    result = tracker(*args, code=None)
    if result.exit_code:
        assert result.exit_code in (1, 2) and snapshot(root) == before, result.output
        return None
    return result.stdout.strip().splitlines()[-1]


def options(**values: Any) -> list[str]:
    """--name=value for each value given; the = form keeps a value that starts with '-' a value."""
    return [f"--{name.replace('_', '-')}={value}" for name, value in values.items() if value is not None]


@FUZZ
@given(title=TEXT, notes=st.none() | TEXT, location=st.none() | TEXT, date=PARTIAL.map(str),
       severity=st.none() | st.integers(1, 5), sources=st.lists(WEB, max_size=2),
       counts=st.dictionaries(st.sampled_from(COUNTS), st.integers(0, 10 ** 6)),
       stance=st.sampled_from(list(STANCES)))
def test_add_event_loads_back_equal(tracker, kz, title, notes, location, date, severity, sources, counts, stance):
    ident = write(tracker, kz, "add-event", "--country=KZ", f"--date={date}", f"--{stance}=kz-assembly-law",
                  *options(title=title, notes=notes, location=location, severity=severity),
                  *(f"--source={url}" for url in sources), *(f"--{name}={n}" for name, n in counts.items()))
    assume(ident is not None)  # a refusal wrote nothing (checked above); only a write has something to compare
    shown = json.loads(tracker("show", ident, "--format", "json").stdout)
    assert (shown["title"], shown["notes"], shown["location"], shown["date"], shown["severity"], shown["sources"],
            shown["counts"]) == (title, notes, location, date, severity or 1, sources, counts)
    assert shown["links"] == [{"promise": "kz-assembly-law", "stance": stance, "note": None, "severity": None}]
    Path(shown["path"]).unlink()  # keep the directory small for the next example, with no link left behind
    next(kz.glob(f"kz/promises/kz-assembly-law/links/*/{ident}.toml")).unlink()


@FUZZ
@given(official=TEXT, title=TEXT, text=st.none() | TEXT, quote=st.none() | TEXT, restated=PARTIAL.map(str),
       verdict=st.sampled_from(VERDICTS), rationale=TEXT, by=st.none() | TEXT)
def test_promise_restate_and_rate_load_back_equal(tracker, records, official, title, text, quote, restated,
                                                  verdict, rationale, by):
    ident = write(tracker, records, "add-promise", "--country=KZ", "--date=2019-06",
                  *options(official=official, title=title, text=text, quote=quote))
    assume(ident is not None)
    restated_ok = write(tracker, records, "restate", ident, f"--date={restated}", *options(quote=quote))
    rated = write(tracker, records, "rate", ident, f"--verdict={verdict}", "--date=2036",
                  *options(rationale=rationale, by=by))
    shown = json.loads(tracker("show", ident, "--format", "json", "--as-of", "2036-12-31").stdout)
    assert (shown["official"], shown["title"], shown["text"]) == (official, title, text)
    assert [(s["date"], s["quote"]) for s in shown["statements"]] == \
        [("2019-06", quote)] + ([(restated, quote)] if restated_ok else [])
    assert shown["ratings"] == ([{"date": "2036", "verdict": verdict, "rationale": rationale, "by": by, "sources": []}]
                                if rated else [])
    shutil.rmtree(records / "kz")


# ---------------------------------------------------------------------------
# Scoring: deterministic, and blind to the order of files on disk and of records in memory.

@st.composite
def record_sets(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int], list[int]]:
    """Promises and linked events, and an order to shuffle each into."""
    ids = draw(st.lists(SLUG, min_size=1, max_size=4, unique=True))
    promises = [{"id": f"p-{i}", "country": "KZ", "official": draw(st.sampled_from(["A", "B"])), "title": "T",
                 "statements": draw(st.lists(st.fixed_dictionaries({"date": PARTIAL}), min_size=1, max_size=3)),
                 "ratings": draw(st.lists(st.fixed_dictionaries(
                     {"date": PARTIAL, "verdict": st.sampled_from(VERDICTS), "rationale": st.just("r")}), max_size=1))}
                for i in ids]
    for promise in promises:  # valid records: a rating never ends before the pledge was made (check's rule)
        made = min(parse_date(s["date"]).first for s in promise["statements"])
        promise["ratings"] = [r for r in promise["ratings"] if parse_date(r["date"]).last >= made]
    events = []
    for n in range(draw(st.integers(0, 12))):
        date = draw(PARTIAL)
        linked = draw(st.lists(st.sampled_from(ids), max_size=len(ids), unique=True))
        events.append({"id": f"e-{n}", "country": "KZ", "date": date, "title": "E",
                       "severity": draw(st.integers(1, 5)),
                       "links": [{"promise": f"p-{i}", "stance": draw(st.sampled_from(list(STANCES))),
                                  **({"severity": s} if (s := draw(st.none() | st.integers(1, 5))) else {})}
                                 for i in linked]})
    return promises, events, draw(st.permutations(range(len(promises)))), draw(st.permutations(range(len(events))))


def write_records(root: Path, promises: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    root.mkdir()
    shutil.copy(SHIPPED / "tracker.toml", root / "tracker.toml")
    for promise in promises:
        path = root / "kz" / "promises" / f"{promise['id']}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomli_w.dumps({k: v for k, v in promise.items() if v != []}))
    for event in events:
        year = event["date"].year if isinstance(event["date"], dt.date) else event["date"][:4]
        path = root / "kz" / "events" / str(year) / f"{event['id']}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomli_w.dumps({k: v for k, v in event.items() if v != []}))


def summary(assessments: list) -> list[tuple]:
    return [(a.promise.id, a.verdict, a.computed_verdict, a.reason, a.score, a.support, a.against,
             sorted((e.event.id, e.link.stance, e.weight, e.scored) for e in a.evidence)) for a in assessments]


def scored(tracker, root: Path, as_of: str) -> str:
    result = tracker("--records", str(root), "report", "--as-of", as_of, "--format", "json")
    return result.stdout


@FUZZ
@given(sets=record_sets(), as_of=st.dates(dt.date(1995, 1, 1), dt.date(2036, 1, 1)))
def test_scoring_is_deterministic_and_blind_to_file_order(tracker, isolated, sets, as_of):
    promises, events, promise_order, event_order = sets
    first, second = isolated / "first", isolated / "second"
    write_records(first, promises, events)
    # Created in another order. discover() sorts what it lists, so this half guards that sorting (and
    # determinism across directories); the permutation in memory below is what tests the method itself.
    write_records(second, [promises[i] for i in promise_order], [events[i] for i in event_order])
    try:
        once = scored(tracker, first, as_of.isoformat())
        assert scored(tracker, first, as_of.isoformat()) == once
        assert scored(tracker, second, as_of.isoformat()).replace(str(second), str(first)) == once
        # And in memory: the method itself must not depend on the order it is handed records in.
        records = load_records(first, as_of)
        permuted = Records(tuple(records.promises[i] for i in promise_order),
                           tuple(records.events[i] for i in event_order), records.config)
        assert summary(report(permuted, as_of)) == summary(report(records, as_of))
    finally:
        shutil.rmtree(first)
        shutil.rmtree(second)


# ---------------------------------------------------------------------------
# Line numbers: a wrong value is reported at its own line, wherever the field sits in the file.

WRONG = {"title": "[1, 2]", "date": '"last May"', "severity": "9", "location": "3", "kind": '"Not A Slug"',
         "notes": "true", "sources": '["file:///etc/passwd"]'}


@FUZZ
@given(order=st.permutations(sorted(WRONG)), broken=st.sampled_from(sorted(WRONG)),
       padding=st.lists(st.sampled_from(["", "# a comment [[links]]", "  ",
                                         'x-note = """\n[[links]]\nstance = 1\n"""']),
                        min_size=len(WRONG), max_size=len(WRONG)),
       links=st.integers(0, 3), crlf=st.booleans())
def test_a_wrong_value_is_reported_at_its_line(tracker, kz, order, broken, padding, links, crlf):
    right = {"title": '"A rally"', "date": "2019-05-01", "severity": "2", "location": '"Almaty"', "kind": '"detention"',
             "notes": '"Notes"', "sources": '["https://example.org/a"]'}
    lines = ['id = "kz-lines"', 'country = "KZ"']
    for n, (key, pad) in enumerate(zip(order, padding, strict=True)):
        lines += [pad.replace("x-note", f"x-note-{n}"), f"{key} = {WRONG[key] if key == broken else right[key]}"]
    lines += ['\n[[links]]\npromise = "kz-assembly-law"\nstance = "consistent"'] * links
    text = "\n".join(lines) + "\n"
    (kz / "kz" / "events" / "2019" / "kz-lines.toml").write_bytes(text.replace("\n", "\r\n" if crlf else "\n").encode())
    stderr = tracker("check", code=1).stderr
    (message,) = [line for line in stderr.splitlines()
                  if line.startswith("records/kz/events/2019/kz-lines.toml:") and ": warning: " not in line]
    number = int(message.split(":")[1])
    assert text.splitlines()[number - 1].startswith(f"{broken} = "), (message, text)
