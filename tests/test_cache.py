"""The parse cache: warm runs reuse unchanged files, and nothing stale or foreign is ever trusted."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fractions
import hashlib
import json
import os
import pickle
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import SHIPPED, kept_in, run_tracker

import tracker.cache
from tracker import read, report, rows
from tracker.cache import FILE, FOLDER, KEY_SIZE, MARGIN_NS, SCORING, SNAPSHOT, FileCache, user_key
from tracker.load import discover
from tracker.model import Problem
from tracker.validate import check_bytes, load_records

PROMISE = Path("kz/promises/kz-assembly-law.toml")
RALLY = Path("kz/events/2019/09/kz-2019-09-21-dvk-rally.toml")
RALLY_LINK = Path("kz/promises/kz-assembly-law/links/c7/kz-2019-09-21-dvk-rally.toml")
REPORT = ("report", "--as-of", "2019-09-30", "--format", "json")


@pytest.fixture(scope="module")
def aged_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Copies of the shipped records whose files are old enough to be cached.

    A file is cached only once its times are MARGIN_NS in the past, and a file's change time
    cannot be set, so the copies are made once per module and then waited for once."""
    base = tmp_path_factory.mktemp("aged")
    copies = [base / f"records-{n}" for n in range(30)]
    for copy in copies:
        shutil.copytree(SHIPPED, copy, ignore=shutil.ignore_patterns(FOLDER))
    time.sleep(MARGIN_NS / 1e9 + 0.2)
    return iter(copies)


@pytest.fixture
def aged(aged_pool: Iterator[Path], isolated: Path) -> Path:
    """An aged copy of the shipped records, at ./records (moved, so every file keeps its stamps)."""
    target = isolated / "records"
    os.rename(next(aged_pool), target)
    return target


def parsed_by_load(root: Path = Path("records")) -> list[str]:
    """Load root through the cache and return the files that had to be parsed (the rest came from the cache).

    The cache belongs to one spelling of the records path, so this spells it as the commands here do."""
    parsed: list[str] = []

    def check(path: str, kind: str, data: bytes | Problem):  # noqa: ANN202 - a FileResult
        parsed.append(str(Path(path).relative_to(root)))
        return check_bytes(path, kind, data)

    found, _ = discover(root)
    FileCache(root).checked(found, check)
    return parsed


def report_json(*extra: str, root: str = "records") -> dict:
    result = run_tracker("--records", root, *extra, *REPORT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def same_size_edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new) and old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_warm_report_parses_nothing_and_equals_cold(aged: Path):
    cold = report_json("--no-cache")
    assert not (aged / FOLDER).exists(), "--no-cache must not write a cache"
    first = report_json()
    assert (aged / FOLDER / "records.pickle").is_file()
    assert parsed_by_load() == []
    warm = report_json()
    assert cold == first == warm
    assert cold["promises"][0]["against"] == 10


def test_same_size_edit_of_a_cached_file_is_seen(aged: Path):
    before = report_json()
    assert parsed_by_load() == []
    stat = (aged / RALLY).stat()
    same_size_edit(aged / RALLY, "severity = 3", "severity = 1")
    # Even with the size and the modification time put back exactly, the change time gives it away.
    os.utime(aged / RALLY, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = report_json()
    assert (before["promises"][0]["against"], after["promises"][0]["against"]) == (10, 8)
    assert report_json("--no-cache") == after


def test_same_size_edits_within_one_second_are_seen(aged: Path):
    """A file changed twice within one tick of the clock keeps its stamps: it must not be cached while fresh."""
    report_json()
    current = "severity = 3"
    for severity in (1, 2, 4, 5, 3):
        same_size_edit(aged / RALLY, current, current := f"severity = {severity}")
        assert report_json()["promises"][0]["against"] == 7 + severity
    assert str(RALLY) in parsed_by_load(), "a file changed within the last seconds is parsed again"


def test_added_and_deleted_files_are_seen(aged: Path):
    report_json()
    added = aged / "kz/events/2019/09/kz-2019-09-22-second-rally.toml"
    added.write_text((aged / RALLY).read_text(encoding="utf-8").replace("kz-2019-09-21-dvk-rally",
                                                                          "kz-2019-09-22-second-rally"),
                     encoding="utf-8")
    link = aged / "kz/promises/kz-assembly-law/links/ff/kz-2019-09-22-second-rally.toml"
    link.parent.mkdir()
    link.write_text('stance = "contradicts"\n', encoding="utf-8")
    assert report_json()["promises"][0]["against"] == 13
    added.unlink()
    link.unlink()
    (aged / RALLY).unlink()
    (aged / RALLY_LINK).unlink()
    assert report_json()["promises"][0]["against"] == 7
    assert report_json() == report_json("--no-cache")


def test_a_corrupt_cache_is_rebuilt_without_a_word(aged: Path):
    expected = report_json()
    cache = aged / FOLDER / "records.pickle"
    for damage in (b"", b"not a pickle at all", cache.read_bytes()[:1000], b"\x80\x05garbage" * 100):
        cache.write_bytes(damage)
        assert report_json() == expected  # report_json also insists that stderr is empty
        assert parsed_by_load() == [], "the cache was written afresh"


def _forge(cache: Path, key: bytes | None = None, **header: object) -> None:
    """Rewrite the cache so that the promise's title reads FORGED, with the header changed as given, hashed
    with key (the user's own, standing for this user's tracker) or else with none it could know."""
    with open(cache, "rb") as handle:
        head = pickle.load(handle)
        handle.read(KEY_SIZE)
        results = []  # the body: the results in parts, None, then the paths, stamps and digests
        while (part := pickle.load(handle)) is not None:
            results.extend(part)
        index = pickle.load(handle)
    results = [dataclasses.replace(r, title="FORGED") if getattr(r, "title", None) and "promises" in r.path
               else r for r in results]
    body = b"".join(map(pickle.dumps, (results, None, index)))
    with open(cache, "wb") as handle:
        pickle.dump(head | header, handle, protocol=pickle.HIGHEST_PROTOCOL)  # as tracker writes it
        handle.write(hashlib.blake2b(body, key=key or os.urandom(KEY_SIZE), digest_size=KEY_SIZE).digest())
        handle.write(body)


def test_a_cache_edited_without_the_records_is_rebuilt(aged: Path):
    report_json()
    cache = aged / FOLDER / "records.pickle"
    _forge(cache, user_key())  # control: hashed with the user's key, it is trusted, so the test can tell
    assert report_json()["promises"][0]["title"] == "FORGED"
    assert report_json("--no-cache")["promises"][0]["title"] != "FORGED"
    _forge(cache)
    assert report_json()["promises"][0]["title"] == "Reform the law on peaceful assemblies"
    assert parsed_by_load() == [], "the cache was written afresh"


def test_a_cache_from_another_version_is_not_trusted(aged: Path):
    report_json()
    cache = aged / FOLDER / "records.pickle"
    for header in ({"tracker": "0.0.1"}, {"format": 0}):
        _forge(cache, user_key(), **header)
        assert report_json()["promises"][0]["title"] == "Reform the law on peaceful assemblies"


def test_the_key_lives_outside_the_records_and_only_the_user_can_read_it(aged: Path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    report_json()
    key = Path(os.environ["HOME"]) / ".cache/tracker/cache.key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == KEY_SIZE
    assert key.read_bytes() not in (aged / FOLDER / "records.pickle").read_bytes()


def test_the_cache_is_never_read_or_written_through_a_link(aged: Path, tmp_path: Path):
    report_json()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = aged / FOLDER / "records.pickle"
    _forge(cache, user_key())
    os.rename(cache, elsewhere / "records.pickle")  # a valid, keyed cache, reached only through a link
    os.symlink(elsewhere / "records.pickle", cache)
    assert report_json()["promises"][0]["title"] == "Reform the law on peaceful assemblies"
    assert not cache.is_symlink()  # replaced by a cache file of its own
    shutil.rmtree(aged / FOLDER)
    os.symlink(elsewhere, aged / FOLDER)
    before = sorted(os.listdir(elsewhere))
    assert report_json()["promises"][0]["title"] == "Reform the law on peaceful assemblies"
    assert sorted(os.listdir(elsewhere)) == before
    assert b"FORGED" in (elsewhere / "records.pickle").read_bytes()  # left as it was


def test_a_file_rewritten_with_the_same_bytes_keeps_its_entry(aged: Path):
    report_json()
    text = (aged / RALLY).read_bytes()
    (aged / RALLY).unlink()
    (aged / RALLY).write_bytes(text)  # a new inode and new times, as a checkout gives
    assert parsed_by_load() == []
    same_size_edit(aged / RALLY, "severity = 3", "severity = 1")
    assert parsed_by_load() == [str(RALLY)]


def test_a_cache_may_build_nothing_but_records(aged: Path):
    """Pickles can run code; a cache file committed by a stranger must not."""
    report_json()
    marker = aged.parent / "ran"

    class Payload:
        def __reduce__(self):  # noqa: ANN204
            return (os.system, (f"touch {marker}",))

    cache = aged / FOLDER / "records.pickle"
    with open(cache, "rb") as handle:
        head = pickle.load(handle)
    body = pickle.dumps(Payload())
    with open(cache, "wb") as handle:  # signed with the user's own key: only the unpickler stands in its way
        pickle.dump(head, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.write(hashlib.blake2b(body, key=user_key(), digest_size=KEY_SIZE).digest())
        handle.write(body)
    assert report_json()["promises"][0]["against"] == 10
    assert not marker.exists()
    body = b"".join(map(pickle.dumps, ([], None, Payload())))  # the same, in the index after the results
    with open(cache, "wb") as handle:
        pickle.dump(head, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.write(hashlib.blake2b(body, key=user_key(), digest_size=KEY_SIZE).digest())
        handle.write(body)
    assert report_json()["promises"][0]["against"] == 10
    assert not marker.exists()


def test_switching_records_directories(aged: Path, aged_pool: Iterator[Path]):
    other = next(aged_pool)
    same_size_edit(other / PROMISE, "Reform the law", "Repeal the law")
    time.sleep(MARGIN_NS / 1e9 + 0.1)  # let the edit age, so that both directories are cached
    expected = {"records": report_json("--no-cache"), str(other): report_json("--no-cache", root=str(other))}
    for root in ("records", str(other), "records", str(other)):
        assert report_json(root=root) == expected[root]
    assert expected["records"] != expected[str(other)]


def test_one_directory_under_two_spellings_keeps_each_spelling(aged: Path):
    (aged / RALLY_LINK).write_text('stance = "contradict"\n', encoding="utf-8")
    for root in ("records", str(aged), "./records", "records"):
        result = run_tracker("--records", root, "check")
        assert result.returncode == 1
        assert result.stderr.startswith(str(Path(root) / RALLY_LINK) + ":"), result.stderr


def test_init_keeps_the_cache_out_of_git(tracker, isolated: Path):
    subprocess.run(["git", "init", "-q"], check=True)
    tracker("init")
    assert (isolated / "records/.gitignore").read_text() == "# Made by tracker: its parse cache and the " \
                                                            "temporary files of writes stay out of git.\n" \
                                                            ".tracker-cache/\n.tmp-*\n"
    tracker("add-promise", "--country", "KZ", "--official", "A", "--title", "T", "--date", "2019")
    tracker("report")
    assert (isolated / "records" / FOLDER).is_dir()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], capture_output=True,
                            text=True, check=True).stdout
    assert {"?? records/.gitignore", "?? records/kz/promises/kz-2019-t.toml"} <= set(status.splitlines())
    assert FOLDER not in status


def test_init_leaves_an_existing_gitignore_alone(tracker, isolated: Path):
    (isolated / "records").mkdir()
    (isolated / "records/.gitignore").write_text("*.bak\n")
    tracker("init")
    assert (isolated / "records/.gitignore").read_text() == "*.bak\n"


def test_an_unwritable_records_directory_goes_without_a_cache(aged: Path):
    expected = report_json()
    shutil.rmtree(aged / FOLDER)
    (aged / FOLDER).write_text("a file where the cache folder should be")
    assert report_json() == expected


def stamps(*paths: Path) -> list[tuple[int, int]]:
    return [(os.lstat(path).st_ino, os.lstat(path).st_mtime_ns) for path in paths]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_cold_load_keeps_what_a_load_from_a_cache_keeps(aged: Path, monkeypatch: pytest.MonkeyPatch, jobs: str):
    """With no cache to start from, each file is read once, as its folder is listed (on the workers, with
    2), and its stamp, hash and result are kept as a load that starts from a cache keeps them."""
    monkeypatch.setenv("TRACKER_JOBS", jobs)
    expected = report_json("--no-cache")
    assert report_json() == expected
    monkeypatch.delenv("TRACKER_JOBS")  # parsed_by_load counts in this process
    cold = kept_in(Path("records"))
    assert len(cold[0]) == len(discover(aged)[0]) > 10 and -1 not in cold[1]
    assert parsed_by_load() == []
    shutil.rmtree(aged / FOLDER)
    assert len(parsed_by_load()) == len(cold[0])  # FileCache.checked, from nothing
    assert kept_in(Path("records")) == cold


def test_a_load_leaves_keeping_its_snapshot_to_the_caller_who_asks(aged: Path):
    """defer(work): the records come back before the snapshot is kept, and keeping it is the caller's to do
    (the command line does it in a child process)."""
    day = dt.date(2019, 9, 30)
    later: list[Callable[[], object]] = []
    records = load_records(aged, day, whole=False, defer=later.append)
    assert len(later) == 1 and not (aged / FOLDER / SCORING).exists()
    later.pop()()
    assert (aged / FOLDER / SCORING).is_file()
    assert load_records(aged, day, whole=False, defer=later.append) == records and later == []  # read, not kept


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_command_keeps_its_snapshot_meanwhile_and_ends_once_it_is_kept(aged: Path, jobs: str):
    """The command line keeps the snapshot in a child process while it scores and prints (with 2 processes to
    use), and waits for it as it ends: the snapshot is there when the command returns, byte for byte the one
    a load in this process keeps."""
    for command in (("check", "--as-of", "2019-09-30"), REPORT):
        result = run_tracker("--records", "records", *command, env={"TRACKER_JOBS": jobs})
        assert result.returncode == 0, result.stderr
    kept = {name: (aged / FOLDER / name).read_bytes() for name in (SCORING, SNAPSHOT)}
    for name, whole in ((SCORING, False), (SNAPSHOT, True)):
        (aged / FOLDER / name).unlink()
        load_records(Path("records"), dt.date(2019, 9, 30), whole=whole)
        assert (aged / FOLDER / name).read_bytes() == kept[name]
    assert parsed_by_load() == []


def test_a_cold_load_does_not_keep_the_stamps_of_a_fresh_file(aged: Path):
    """A file changed within the last seconds could change again within one tick of the clock, keeping its
    stamps: a cold load keeps its result with no stamp (it is checked again at every load until it is older),
    and makes no snapshot."""
    same_size_edit(aged / RALLY, "severity = 3", "severity = 1")
    shutil.rmtree(aged / FOLDER, ignore_errors=True)
    first = report_json()
    assert first["promises"][0]["against"] == 8
    assert not (aged / FOLDER / SCORING).exists() and not (aged / FOLDER / SNAPSHOT).exists()
    paths, stamps, _, _ = kept_in(Path("records"))
    unstamped = [path for n, path in enumerate(paths) if stamps[4 * n: 4 * n + 4] == [-1] * 4]
    assert unstamped == [str(Path("records") / RALLY)]
    assert report_json() == first == report_json("--no-cache")


def test_a_warm_load_is_the_snapshot_and_writes_nothing(aged: Path):
    """A load of unchanged records takes the snapshot whole (the same records, settings included) and
    writes nothing; the snapshot holds for one as-of date, so another date is assembled again."""
    cache_files = (aged / FOLDER / SNAPSHOT, aged / FOLDER / FILE)
    cold = read(aged, as_of="2019-09-30", cache=True)
    written = stamps(*cache_files)
    warm = read(aged, as_of="2019-09-30", cache=True)
    assert warm == cold and warm.config == read(aged, as_of="2019-09-30").config
    assert stamps(*cache_files) == written, "a warm load must not write to the records folder"
    earlier = read(aged, as_of="2019-06-30", cache=True)
    assert earlier == read(aged, as_of="2019-06-30") != cold
    assert read(aged, as_of="2019-09-30", cache=True) == cold


def test_a_long_load_shows_its_progress_with_or_without_the_cache(aged: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(tracker.cache, "SLOW_FILES", 1)  # the shipped records are too few to show a bar
    totals: list[int] = []
    advanced: list[int] = []

    @contextlib.contextmanager
    def bar(total: int) -> Iterator[Callable[[], None]]:
        totals.append(total)
        yield lambda: advanced.append(total)

    found = discover(aged)[0]
    files, expected = len(found), read(aged, as_of="2019-09-30")
    assert load_records(aged, dt.date(2019, 9, 30), cache=False, progress=bar) == expected
    assert load_records(aged, dt.date(2019, 9, 30), progress=bar) == expected  # writing the cache
    for path, _ in found:  # new stamps, the same bytes: each file is read again to tell, from the cache
        os.utime(path, ns=(time.time_ns(), time.time_ns()))
    assert load_records(aged, dt.date(2019, 9, 30), progress=bar) == expected
    assert totals == [files, files, files] and len(advanced) == 3 * files


def test_a_report_s_rows_read_events_cut_to_what_scoring_needs(aged: Path):
    """Without whole records (as check and a report's table, CSV and Markdown ask), a warm load reads the
    scoring snapshot: events without their own text, whose report is the same, row for row, as that of the
    records whole. tests/test_parallel_load.py compares the commands' output."""
    day = dt.date(2019, 9, 30)
    whole = read(aged, as_of=day)
    cold = load_records(aged, day, whole=False)  # each event cut as its links are attached, and the cut kept
    cut = load_records(aged, day, whole=False)  # the scoring snapshot
    assert cold == cut == load_records(aged, day, cache=False, whole=False)
    assert (aged / FOLDER / SCORING).is_file() and not (aged / FOLDER / SNAPSHOT).exists()
    assert [event.id for event in cut.events] == [event.id for event in whole.events]
    assert {event.title for event in cut.events} == {""} and any(event.title for event in whole.events)
    assert (cut.promises, cut.problems, cut.terms) == (whole.promises, whole.problems, whole.terms)
    assert rows(report(cut, day)) == rows(report(whole, day))
    assert load_records(aged, day) == whole  # the whole records are not taken from the cut


def test_nothing_in_a_cache_is_unpickled_before_its_hash_is_checked(aged: Path):
    """A header is compared as bytes: one that would set an attribute of a type the cache may build (here,
    every date's last day, through pickle's BUILD) changes nothing, though the command has read it."""
    expected = report_json()
    forged = (b"\x80\x04ctracker.dates\nPartialDate\nN}X\x04\x00\x00\x00last"  # PartialDate, and {"last":
              b"cdatetime\ndate\n(M\x6c\x07K\x01K\x01tRs\x86b.")  # date(1900, 1, 1)}, set on the class itself
    (aged / FOLDER / FILE).write_bytes(forged + bytes(KEY_SIZE))
    assert report_json() == expected
    assert parsed_by_load() == [], "the cache was written afresh"


def _resign(path: Path, value: object) -> None:
    """Keep a snapshot's header and key, put value in place of its records, and sign it as tracker would."""
    with open(path, "rb") as handle:
        pickle.load(handle)  # the header
        start = handle.tell()
        handle.read(KEY_SIZE)
        pickle.load(handle)  # the key: which files, which inputs
        end = handle.tell()
    data = path.read_bytes()
    body = data[start + KEY_SIZE: end] + pickle.dumps(value)
    with open(path, "r+b") as handle:  # written into, as no tracker does; still the user's own file
        handle.truncate()
        handle.write(data[:start] + hashlib.blake2b(body, key=user_key(), digest_size=KEY_SIZE).digest() + body)


def test_a_snapshot_that_cannot_be_read_after_its_check_is_rebuilt(aged: Path):
    """A snapshot of these very files whose records cannot be read: the files are listed again and the
    records assembled, as with no cache at all, and the snapshot is written afresh. (In one process, as
    benchmarks.mutation needs; tests/test_parallel_load.py compares the commands' output.)"""
    day = dt.date(2019, 6, 30)
    cold = load_records(aged, day, cache=False, whole=False)  # events cut to what scoring reads
    assert any("2019-06-30" in problem.message for problem in cold.problems)  # a load with something to say
    assert {event.title for event in cold.events} == {""} and len(cold.events) == 5
    load_records(aged, day, whole=False)  # keeps the scoring snapshot
    snapshot = aged / FOLDER / SCORING
    _resign(snapshot, fractions.Fraction(1, 3))  # signed, but no type the cache may build
    assert load_records(aged, day, whole=False) == cold
    assert b"Fraction" not in snapshot.read_bytes()
    kept = snapshot.stat()
    assert load_records(aged, day, whole=False) == cold  # from the new snapshot: read, not written again
    assert (snapshot.stat().st_ino, snapshot.stat().st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)


def test_a_warm_load_sees_a_file_changed_since_its_snapshot(aged: Path):
    """The scoring snapshot holds for the files as they were: an edit since (the same size) is read."""
    day = dt.date(2019, 9, 30)
    load_records(aged, day, whole=False)  # keeps the scoring snapshot
    before = load_records(aged, day, whole=False)
    assert {event.title for event in before.events} == {""}, "not read from the snapshot"
    same_size_edit(aged / RALLY, "severity = 3", "severity = 1")
    after = load_records(aged, day, whole=False)
    assert {event.id: event.severity for event in before.events}["kz-2019-09-21-dvk-rally"] == 3
    assert {event.id: event.severity for event in after.events}["kz-2019-09-21-dvk-rally"] == 1


@pytest.mark.parametrize("damage", ["a pipe", "writable by others", "a second name"])
def test_a_cache_file_anyone_else_could_write_into_is_not_read(aged: Path, tmp_path: Path, damage: str):
    """A cache file is hashed, then read again: it must be a regular file of the user's alone. A pipe in its
    place must not hang the command."""
    expected = report_json()
    cache = aged / FOLDER / FILE
    _forge(cache, user_key())  # trusted as it stands (test_a_cache_edited_without_the_records_is_rebuilt)
    if damage == "a pipe":
        cache.unlink()
        os.mkfifo(cache)
    elif damage == "writable by others":
        cache.chmod(0o666)
    else:
        os.link(cache, tmp_path / "another-name")
    assert report_json() == expected
