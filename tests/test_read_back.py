"""What the commands write is read back field by field, and ratings, links and pledge dates are checked at
their edges, with whole messages (where, the line, what is wrong, the hint)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import edit_file

from tracker import read as read_records
from tracker.layout import shard

PROMISE = "records/kz/promises/kz-assembly-law.toml"
LINK = "records/kz/promises/kz-assembly-law/links/c7/kz-2019-09-21-dvk-rally.toml"
RATINGS = Path("records/kz/promises/kz-assembly-law/ratings")
SOURCE = "https://example.org/new-assembly-law"
VERDICTS = "kept, compromise, broken, contradicted, in-progress, stalled, not-rated"


def exported(tracker, name: str) -> list[dict[str, object]]:
    tracker("export", "--format", "json", "out", "--force")
    data: list[dict[str, object]] = json.loads(Path("out", name).read_text(encoding="utf-8"))
    return data


def rating_file(text: str) -> Path:
    RATINGS.mkdir(parents=True, exist_ok=True)
    path = RATINGS / "2019-09-28-compromise-00000000.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rating_and_a_link_are_read_back_as_written(tracker, kz):
    tracker("rate", "kz-assembly-law", "--verdict", "compromise", "--date", "2019-09-28", "--rationale",
            "Draft law", "--by", "A. Researcher", "--source", SOURCE)
    Path(LINK).unlink()
    tracker("link", "kz-2019-09-21-dvk-rally", "--contradicts", "kz-assembly-law", "--severity", "5",
            "--note", "Peaceful protesters detained")
    (promise,) = exported(tracker, "promises.json")
    assert promise["ratings"] == [{"date": "2019-09-28", "verdict": "compromise", "rationale": "Draft law",
                                   "by": "A. Researcher", "sources": [SOURCE]}]
    assert [s["date"] for s in promise["statements"]] == ["2019-06", "2019-09-02"]  # inline, then its own file
    links = {link["event"]: link for link in exported(tracker, "links.json")}
    assert links["kz-2019-09-21-dvk-rally"] == {"event": "kz-2019-09-21-dvk-rally", "promise": "kz-assembly-law",
                                                "stance": "contradicts", "note": "Peaceful protesters detained",
                                                "severity": 5, "weight": 5}


def test_a_rating_needs_no_author_or_sources(tracker, kz):
    tracker("rate", "kz-assembly-law", "--verdict", "kept", "--date", "2019-09-28", "--rationale", "Law signed")
    tracker("check")
    (promise,) = exported(tracker, "promises.json")
    assert promise["ratings"] == [{"date": "2019-09-28", "verdict": "kept", "rationale": "Law signed", "by": None,
                                   "sources": []}]


def test_a_rating_file_with_an_unknown_verdict(tracker, kz):
    path = rating_file('date = 2019-09-28\nverdict = "great"\nrationale = "Draft law"\n')
    error = tracker("check", code=1).stderr
    assert error.startswith(f"{path}:2: verdict: 'great' is not a verdict\n"
                            f'  2 | verdict = "great"\n  hint: use one of: {VERDICTS}\n'), error
    assert error.endswith("; 1 error, 0 warnings\n")


@pytest.mark.parametrize("text, says", [
    ('date = 2019-09-28\nverdict = "kept"\n', ": missing required field 'rationale'\n"),
    ('date = 2019-09-28\nrationale = "Law signed"\n', ": missing required field 'verdict'\n"),
    ('date = 2019-09-28\nverdict = "kept"\nrationale = "x"\nsources = ["ftp://x"]\n',
     ":4: sources: 'ftp://x' is not an http or https URL\n"),
])
def test_a_rating_file_missing_a_field_or_with_a_bad_source(tracker, kz, text, says):
    path = rating_file(text)
    error = tracker("check", code=1).stderr
    assert error.startswith(f"{path}{says}"), error
    assert error.endswith("; 1 error, 0 warnings\n")
    assert tracker("report", code=1).stdout == ""


# ---------------------------------------------------------------------------
# A pledge is rated, and falls due, only after it was made (here in June 2019: from 2019-06-01).

@pytest.mark.parametrize("line, problem", [
    ("deadline = 2019-05-31", f"{PROMISE}:5: deadline: 2019-05-31 is before the pledge was made (2019-06)\n"
                              "  5 | deadline = 2019-05-31\n"),
    ("deadline = 2019-06-01", None),
    ("deadline = \"2019-05\"", f"{PROMISE}:5: deadline: 2019-05 is before the pledge was made (2019-06)\n"),
])
def test_a_deadline_before_the_pledge(tracker, kz, line, problem):
    edit_file(PROMISE, 'office = "', f'{line}\noffice = "')
    if problem is None:
        tracker("check", "--as-of", "2019-12-31")
        return
    error = tracker("check", "--as-of", "2019-12-31", code=1).stderr
    assert error.startswith(problem), error
    assert "  hint: a pledge can only be rated, or fall due, after it was made: check the dates\n" in error


@pytest.mark.parametrize("date, error", [("2019-05-31", True), ("2019-06-01", False), ('"2019-06"', False)])
def test_a_rating_in_the_promise_file_before_the_pledge(tracker, kz, date, error):
    with open(PROMISE, "a", encoding="utf-8") as file:
        file.write(f'\n[[ratings]]\ndate = {date}\nverdict = "kept"\nrationale = "Law signed"\n')
    line = Path(PROMISE).read_text(encoding="utf-8").count("\n") - 2
    if not error:
        tracker("check", "--as-of", "2019-12-31")
        return
    stderr = tracker("check", "--as-of", "2019-12-31", code=1).stderr
    assert stderr.startswith(f"{PROMISE}:{line}: ratings[0].date: 2019-05-31 is before the pledge was made "
                             f"(2019-06)\n  {line} | date = 2019-05-31\n"), stderr


# ---------------------------------------------------------------------------
# A link's own severity: from 1 to 5, and it weighs the link.

@pytest.mark.parametrize("severity, weight", [(1, 1), (5, 5)])
def test_a_link_severity_from_1_to_5_sets_its_weight(tracker, kz, severity, weight):
    edit_file(LINK, 'stance = "contradicts"', f'stance = "contradicts"\nseverity = {severity}')
    links = {link["event"]: link for link in exported(tracker, "links.json")}
    assert (links["kz-2019-09-21-dvk-rally"]["severity"], links["kz-2019-09-21-dvk-rally"]["weight"]) == \
        (severity, weight)


@pytest.mark.parametrize("severity", ["0", "6", "true"])
def test_a_link_severity_out_of_range_is_an_error_at_its_line(tracker, kz, severity):
    edit_file(LINK, 'stance = "contradicts"', f'stance = "contradicts"\nseverity = {severity}')
    error = tracker("check", code=1).stderr
    shown = "True" if severity == "true" else severity
    assert error.startswith(f"{LINK}:2: severity: must be a whole number from 1 to 5, got {shown}\n"
                            f"  2 | severity = {severity}\n"
                            "  hint: severity ranks how grave an event is, from 1 (least) to 5 (gravest)\n"), error


def test_a_link_to_no_promise_points_at_the_promise_line(tracker, kz):
    event = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
    text = Path(event).read_text(encoding="utf-8")
    Path(event).write_text(text + '\n[[links]]\nstance = "contradicts"\npromise = "KZ-Assembly-Law"\n',
                           encoding="utf-8")
    line = text.count("\n") + 4
    error = tracker("check", code=1).stderr
    assert error.startswith(f"{event}:{line}: links[0].promise: no promise has the ID 'KZ-Assembly-Law'\n"
                            f'  {line} | promise = "KZ-Assembly-Law"\n'
                            "  hint: did you mean 'kz-assembly-law'? IDs are lowercase\n"), error


def test_a_statement_in_a_folder_not_named_as_an_id_is_one_error(tracker, kz):
    folder = Path("records/kz/promises/Bad_Law/statements")
    folder.mkdir(parents=True)
    (folder / "2019-09-02-a.toml").write_text(f'date = 2019-09-02\nsources = ["{SOURCE}"]\n', encoding="utf-8")
    assert tracker("check", code=1).stderr == (
        f"{folder}/2019-09-02-a.toml: folder name: 'Bad_Law' is not a valid ID: use lowercase letters, digits and "
        "single hyphens, as kz-assembly-law\n  hint: the folder is named after the promise's ID\n"
        "1 promise and 5 events valid; 1 error, 0 warnings\n")


# ---------------------------------------------------------------------------
# Terms of office, read back through the library (the command line shows only their effect on verdicts).

def test_a_term_is_read_back_as_written(tracker, records):
    tracker("add-term", "--country", "US", "--official", "Barack Obama", "--office", "President", "--start",
            "2009-01-20", "--end", "2009-01-20", "--source", SOURCE, "--id", "us-obama-1")
    (term,) = read_records(records, as_of="2020-01-01").terms
    assert (term.id, term.country, term.official, str(term.start), str(term.end), term.office, term.sources) == \
        ("us-obama-1", "US", "Barack Obama", "2009-01-20", "2009-01-20", "President", (SOURCE,))


def test_a_term_with_an_error_is_left_out(tracker, records):
    folder = records / "us" / "terms"
    folder.mkdir(parents=True)
    (folder / "us-a.toml").write_text('country = "US"\nofficial = "A"\nstart = 2009-01-20\nend = 2009-01-19\n'
                                      'sources = ["ftp://x"]\n', encoding="utf-8")
    assert tracker("check", code=1).stderr == (
        f"{folder.relative_to(Path.cwd())}/us-a.toml:4: end: 2009-01-19 is before the start, 2009-01-20\n"
        "  4 | end = 2009-01-19\n  hint: a term ends on or after the day it starts\n"
        f"{folder.relative_to(Path.cwd())}/us-a.toml:5: sources: 'ftp://x' is not an http or https URL\n"
        '  5 | sources = ["ftp://x"]\n'
        "  hint: sources must be web addresses starting with https:// or http://\n"
        "0 promises and 0 events valid; 2 errors, 0 warnings\n")
    assert read_records(records, as_of="2020-01-01").terms == ()


# ---------------------------------------------------------------------------
# Records at a git revision are read by the same rules as the work tree.

def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def commit(message: str) -> str:
    git("add", "-A", "records")
    git("commit", "--quiet", "-m", message)
    return git("rev-parse", "HEAD").strip()[:10]


def test_a_revision_is_read_as_the_work_tree_is(tracker, kz):
    git("init", "--quiet", "--initial-branch=main")
    Path("records/.drafts").mkdir()
    Path("records/.drafts/idea.toml").write_text("not = [toml\n", encoding="utf-8")  # hidden: never read
    Path("records/kz/stray.toml").write_text('title = "x"\n', encoding="utf-8")
    Path("records/us/events/2019").mkdir(parents=True)  # after tracker.toml in git's order; an ID taken, but not TOML
    Path("records/us/events/2019/kz-2019-09-21-dvk-rally.toml").write_text('title = "x\n', encoding="utf-8")
    first = commit("Records")
    edit_file(PROMISE, 'office = "', 'office = "The ')
    second = commit("Office")
    for sha in (first, second):
        result = tracker("report", "--at", sha, code=1)
        assert result.stderr == (
            f"{sha}:records/kz/stray.toml: is in an unexpected place; it was not read\n"
            "  hint: put promises in CC/promises/ID.toml, events in CC/events/YYYY/MM/ID.toml, terms of office in "
            "CC/terms/ID.toml, and a promise's statements, ratings and links in CC/promises/ID/statements/, "
            "ratings/ and links/XX/\n"
            f"{sha}:records/us/events/2019/kz-2019-09-21-dvk-rally.toml:1: is not valid TOML: Illegal character '\\n'\n"
            '  1 | title = "x\n'
            "  hint: fix the TOML syntax at that line (https://toml.io)\n"
            f"error: 2 errors in records at {sha}; nothing was reported. Fix them and run again.\n"), result.stderr


def test_a_revision_with_broken_settings_or_none(tracker, kz):
    git("init", "--quiet", "--initial-branch=main")
    edit_file("records/tracker.toml", "stall_days = 365", "stall_days = \"365")
    broken = commit("Broken settings")
    Path("records/tracker.toml").unlink()
    none = commit("No settings")
    assert tracker("report", "--at", broken, code=1).stderr.startswith(
        f"{broken}:records/tracker.toml:7: is not valid TOML")
    assert tracker("report", "--at", none, code=1).stderr == \
        f"error: records at {none}: not a records directory (no tracker.toml)\n"


# ---------------------------------------------------------------------------
# Link files: named after their event, in their shard's folder, and one link per pair.

def test_a_link_file_misnamed_or_in_the_wrong_shard(tracker, kz):
    links = Path(LINK).parent.parent
    Path(LINK).rename(links / "87" / "kz-2019-09-21-dvk-rally.toml")
    (links / "87" / "Bad_Event.toml").write_text('stance = "contradicts"\n', encoding="utf-8")
    assert tracker("check", code=1).stderr == (
        f"{links}/87/Bad_Event.toml: file name: 'Bad_Event' is not a valid ID: use lowercase letters, digits and "
        "single hyphens, as kz-assembly-law\n  hint: a link file is named after its event's ID\n"
        f"{links}/87/kz-2019-09-21-dvk-rally.toml: is in the links/87/ folder, but a link to "
        "kz-2019-09-21-dvk-rally belongs in links/c7/\n  hint: move the file to links/c7/\n"
        "1 promise and 5 events valid; 2 errors, 0 warnings\n")


def test_a_link_file_with_the_text_of_a_clean_one_is_checked_for_its_own_name_and_folder(tracker, kz):
    """Link files of one promise with one text share what was checked of their text, never of their names."""
    folder = Path(LINK).parent
    text = Path(LINK).read_text(encoding="utf-8")
    for name in ("zz_event.toml", "zz-event.toml"):  # both after the clean file, in the order they are checked
        (folder / name).write_text(text, encoding="utf-8")
    assert shard("zz-event") != folder.name
    error = tracker("check", code=1).stderr
    assert (f"{folder}/zz_event.toml: file name: 'zz_event' is not a valid ID: use lowercase letters, digits "
            "and single hyphens, as kz-assembly-law\n") in error
    assert (f"{folder}/zz-event.toml: is in the links/{folder.name}/ folder, but a link to zz-event belongs in "
            f"links/{shard('zz-event')}/\n") in error


def test_link_files_taken_as_like_a_clean_one_are_of_their_own_events(tracker, kz):
    """The event of a link file is its whole name, even where a part of the name is in the same shard folder."""
    # Two events whose files go to the folder of their IDs' first five characters' shard, as the whole IDs' do.
    ids = [ident for n in range(5000) if shard(ident := f"kz-19-{n}") == shard("kz-19")][:2]
    for ident in ids:
        tracker("add-event", "--country", "KZ", "--date", "2019-10-01", "--title", "Rally", "--id", ident,
                "--contradicts", "kz-assembly-law", "--source", SOURCE)
    assert tracker("check").stderr == "1 promise and 7 events valid; 0 errors, 0 warnings\n"


def test_link_files_with_one_text_and_a_warning_each_say_it(tracker, kz):
    """Only a link file found without any problem, warnings included, is taken as the model for the next ones."""
    first = Path("records/kz/promises/kz-assembly-law/links/01/kz-2019-08-reform-march-no-detentions.toml")
    for path in (first, Path(LINK)):
        path.write_text('stance = "contradicts"\nweight = 2\n', encoding="utf-8")
    result = tracker("check")
    for path in (first, Path(LINK)):
        assert (f"{path}:2: warning: weight: unknown field, ignored\n  2 | weight = 2\n"
                "  hint: known fields: stance, note, severity\n") in result.stderr


def rally_links(root: Path) -> list[tuple[str, str]]:
    (rally,) = (e for e in read_records(root, as_of="2020-01-01").events if e.id == "kz-2019-09-21-dvk-rally")
    return [(link.promise, link.stance) for link in rally.links]


def test_a_pair_linked_both_in_the_event_and_in_a_link_file_counts_neither(tracker, kz):
    event = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
    with open(event, "a", encoding="utf-8") as file:
        file.write('\n[[links]]\npromise = "kz-assembly-law"\nstance = "consistent"\n')
    tracker("add-event", "--country", "KZ", "--date", "2019-10-01", "--title", "Unlinked", "--id", "kz-unlinked")
    link = "records/kz/promises/kz-assembly-law/links/c7/kz-2019-09-21-dvk-rally.toml"
    hint = "  hint: keep one of the files (two branches decided differently)\n"
    error = tracker("check", code=1).stderr
    assert (f"{event}: links kz-2019-09-21-dvk-rally to kz-assembly-law, and so does {link}; neither link was "
            f"counted\n{hint}") in error
    assert (f"{link}: links kz-2019-09-21-dvk-rally to kz-assembly-law, and so does {event}; neither link was "
            f"counted\n{hint}") in error
    assert rally_links(kz) == []
    tracker("add-promise", "--country", "KZ", "--official", "A", "--title", "Free the press", "--date", "2019-01",
            "--id", "kz-press")
    tracker("link", "kz-2019-09-21-dvk-rally", "--consistent", "kz-press")
    assert rally_links(kz) == [("kz-press", "consistent")]


def test_an_event_s_link_files_are_read_in_promise_order(tracker, kz):
    tracker("add-promise", "--country", "US", "--official", "A", "--title", "Close it", "--date", "2019-01",
            "--id", "a-close")
    tracker("link", "kz-2019-09-21-dvk-rally", "--consistent", "a-close")
    assert rally_links(kz) == [("a-close", "consistent"), ("kz-assembly-law", "contradicts")]


# ---------------------------------------------------------------------------
# Promise files: their kind and an importer's source ID.

def test_a_promise_file_that_says_it_is_another_kind(tracker, kz):
    edit_file(PROMISE, 'country = "KZ"', 'country = "KZ"\nkind = "event"')
    assert tracker("check", code=1).stderr.startswith(
        f"{PROMISE}:4: kind: is 'event' but the file is in a promises/ folder\n"
        '  4 | kind = "event"\n  hint: write kind = "promise" or move it\n')
    edit_file(PROMISE, 'kind = "event"', 'kind = "promise"\nsource_id = "hrw-17"')
    tracker("check")
    (promise,) = exported(tracker, "promises.json")
    assert promise["source_id"] == "hrw-17"


HRW = "https://www.hrw.org/news/2019/09/24/mass-arrests-cast-doubt-rights-reform-kazakhstan"


def test_every_field_of_a_promise_and_an_event_is_read_back(tracker, kz):
    edit_file(PROMISE, 'office = "', 'deadline = 2020-12-31\nsource_id = "hrw-1"\noffice = "')
    edit_file(PROMISE, 'date = "2019-06"', 'date = "2019-06"\nquote = "We will reform it"\nvenue = "Astana"')
    event = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
    edit_file(event, 'location = "Almaty"', 'location = "Almaty"\nactors = ["Police"]\nsource_id = "hrw-2"')
    (promise,) = exported(tracker, "promises.json")
    assert promise == {
        "id": "kz-assembly-law", "kind": "promise", "country": "KZ", "official": "Kassym-Jomart Tokayev",
        "office": "President of Kazakhstan", "title": "Reform the law on peaceful assemblies",
        "text": "Reform the law on peaceful assemblies, which requires protesters to obtain prior permission from "
                "local authorities.",
        "topics": ["assembly"], "deadline": "2020-12-31",
        "statements": [{"date": "2019-06", "sources": [HRW], "quote": "We will reform it", "venue": "Astana"},
                       {"date": "2019-09-02", "sources": [HRW], "quote": None,
                        "venue": "First state-of-the-nation address"}],
        "ratings": [], "path": PROMISE, "source_id": "hrw-1"}
    (rally,) = (e for e in exported(tracker, "events.json") if e["id"] == "kz-2019-09-21-dvk-rally")
    assert rally == {
        "id": "kz-2019-09-21-dvk-rally", "kind": "detention", "country": "KZ", "date": "2019-09-21",
        "title": "About 100 detained at an opposition rally in Almaty", "location": "Almaty", "actors": ["Police"],
        "counts": {"detained": 100, "fined": 15}, "severity": 3, "sources": [HRW],
        "notes": "Rally of the banned Democratic Choice of Kazakhstan (DVK); 15 fined or held in custody.",
        "path": event, "source_id": "hrw-2"}


@pytest.mark.parametrize("path, line", [(PROMISE, 6), ("records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml", 5)])
def test_a_title_must_be_one_line(tracker, kz, path, line):
    edit_file(path, 'title = "', 'title = "Two\\nlines: ')
    error = tracker("check", code=1).stderr
    assert error.startswith(f"{path}:{line}: title: must be one line\n"), error
    assert "  hint: move the detail to `text` or `notes`\n" in error


@pytest.mark.parametrize("table, says", [
    ('[[statements]]\ndate = 2019-09-02\nsources = ["ftp://x"]\n', "statements[1].sources: 'ftp://x' is not an http "
                                                                   "or https URL"),
    ('[[ratings]]\ndate = 2019-09-02\nverdict = "great"\nrationale = "x"\n', "ratings[0].verdict: 'great' is not a "
                                                                            "verdict"),
])
def test_a_table_in_the_promise_file_is_named_in_its_message(tracker, kz, table, says):
    text = Path(PROMISE).read_text(encoding="utf-8") + "\n" + table
    Path(PROMISE).write_text(text, encoding="utf-8")
    line = text.count("\n") - 1 if "ratings" in table else text.count("\n")
    error = tracker("check", code=1).stderr
    assert error.startswith(f"{PROMISE}:{line}: {says}\n"), error


@pytest.mark.parametrize("statements, says", [
    ("statements = []\n", f"{PROMISE}:5: statements: is empty\n  5 | statements = []\n"),
    ("", f"{PROMISE}: has no [[statements]]: a promise needs at least the statement that made it\n"
         '  hint: add [[statements]] with date = ... and sources = ["https://..."]\n'),
])
def test_a_promise_without_a_statement(tracker, kz, statements, says):
    Path(PROMISE).write_text('id = "kz-assembly-law"\ncountry = "KZ"\nofficial = "A"\ntitle = "Free the press"\n'
                             + statements, encoding="utf-8")
    error = tracker("check", code=1).stderr
    assert error.startswith(says) and error.endswith(" valid; 1 error, 0 warnings\n"), error


def test_a_record_with_an_error_is_left_out_of_what_the_library_reads(tracker, kz):
    event = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
    for path in (PROMISE, event):
        edit_file(path, "https://www.hrw.org/", "ftp://www.hrw.org/")
    records = read_records(kz, as_of="2020-01-01")
    assert len(records.errors) == 2
    assert records.promises == () and "kz-2019-09-21-dvk-rally" not in {e.id for e in records.events}


def test_a_file_that_is_not_toml_is_one_error_and_its_name_is_no_id(tracker, kz):
    """Its ID is compared with no other: the copy below is reported as not TOML, not as a duplicate."""
    copy = Path("records/kz/events/2020/01/kz-2019-09-21-dvk-rally.toml")
    copy.parent.mkdir(parents=True)
    copy.write_text('title = "x\n', encoding="utf-8")
    assert tracker("check", code=1).stderr == (
        f"{copy}:1: is not valid TOML: Illegal character '\\n'\n  1 | title = \"x\n"
        "  hint: fix the TOML syntax at that line (https://toml.io)\n"
        "1 promise and 5 events valid; 1 error, 0 warnings\n")


def test_an_id_used_three_times_names_the_other_two_files(tracker, kz):
    rally = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
    copies = [f"records/kz/events/{year}/kz-2019-09-21-dvk-rally.toml" for year in ("2017", "2018")]
    for copy in copies:
        Path(copy).parent.mkdir()
        Path(copy).write_text(Path(rally).read_text(encoding="utf-8").replace("2019-09-21\n", f"{copy[18:22]}\n"),
                              encoding="utf-8")
    error = tracker("check", code=1).stderr
    hint = "  hint: every record needs its own ID: rename one of the files\n"
    assert (f"{copies[0]}: ID 'kz-2019-09-21-dvk-rally' is also used by {copies[1]}, {rally}\n" + hint) in error
    assert (f"{rally}: ID 'kz-2019-09-21-dvk-rally' is also used by {copies[0]}, {copies[1]}\n" + hint) in error


def test_an_inline_link_to_a_promise_of_another_country_is_a_warning_at_its_line(tracker, kz):
    tracker("add-promise", "--country", "US", "--official", "A", "--title", "Close it", "--date", "2019-01",
            "--id", "us-close")
    event = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
    text = Path(event).read_text(encoding="utf-8")
    Path(event).write_text(text + '\n[[links]]\nstance = "consistent"\npromise = "us-close"\n', encoding="utf-8")
    line = text.count("\n") + 4
    assert (f"{event}:{line}: warning: links[0].promise: us-close is a promise of US, but the event is in KZ\n"
            f'  {line} | promise = "us-close"\n'
            "  hint: right for an event across a border; otherwise fix the event's country or the link\n"
            ) in tracker("check").stderr


@pytest.mark.parametrize("promise, hint", [
    ("kz-assembly-lav", "did you mean 'kz-assembly-law'?"),
    ("zzz", "add the promise first, or fix the ID"),
])
def test_a_link_to_no_promise_suggests_the_nearest_id(tracker, kz, promise, hint):
    event = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
    text = Path(event).read_text(encoding="utf-8")
    Path(event).write_text(text + f'\n[[links]]\npromise = "{promise}"\nstance = "contradicts"\n', encoding="utf-8")
    assert f"links[0].promise: no promise has the ID '{promise}'\n  {text.count(chr(10)) + 3} | promise = " \
           f'"{promise}"\n  hint: {hint}\n' in tracker("check", code=1).stderr


def test_a_promise_file_that_is_not_toml_is_one_error_and_its_folder_is_not_orphaned(tracker, kz):
    """Its statement and link files still belong to it, in the work tree and at a revision."""
    edit_file(PROMISE, 'title = "', 'title = "\n')
    git("init", "--quiet", "--initial-branch=main")
    sha = commit("Broken promise")
    expected = (f"{PROMISE}:6: is not valid TOML: Illegal character '\\n'\n  6 | title = \"\n"
                "  hint: fix the TOML syntax at that line (https://toml.io)\n")
    assert tracker("check", code=1).stderr == expected + "0 promises and 5 events valid; 1 error, 0 warnings\n"
    assert tracker("report", "--at", sha, code=1).stderr == (
        f"{sha}:{expected}error: 1 error in records at {sha}; nothing was reported. Fix them and run again.\n")


def test_an_event_that_links_one_promise_twice_is_told_at_the_second_link(tracker, kz):
    tracker("add-promise", "--country", "KZ", "--official", "A", "--title", "Free the press", "--date", "2019-01",
            "--id", "kz-press")
    event = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
    text = Path(event).read_text(encoding="utf-8")
    Path(event).write_text(text + '\n[[links]]\npromise = "kz-press"\nstance = "contradicts"\n'
                                  '\n[[links]]\nstance = "consistent"\npromise = "kz-press"\n', encoding="utf-8")
    line = text.count("\n") + 8
    error = tracker("check", code=1).stderr
    assert error.startswith(f"{event}:{line}: links[1].promise: links to 'kz-press' twice\n"
                            f'  {line} | promise = "kz-press"\n  hint: keep one link per promise\n'), error
    assert error.endswith("; 1 error, 1 warning\n"), error  # the warning: the earlier layout


# ---------------------------------------------------------------------------
# Statement, rating and link files are judged once attached to their promise and event.

def test_files_of_a_promise_s_folder_are_judged_once_attached(tracker, kz):
    folder = Path("records/kz/promises/kz-assembly-law")
    (folder / "ratings").mkdir()
    for name, text in (("2019-05-31-kept-00000000", 'verdict = "kept"\nrationale = "x"\ndate = 2019-05-31\n'),
                       ("2019-06-01-kept-00000000", 'date = 2019-06-01\nverdict = "kept"\nrationale = "x"\n'),
                       ("2020-02-kept-00000000", 'verdict = "kept"\nrationale = "x"\ndate = "2020-02"\n')):
        (folder / "ratings" / f"{name}.toml").write_text(text, encoding="utf-8")  # 2019-06-01: the pledge's first day
    (folder / "statements" / "2021-01-01-b.toml").write_text("date = 2021-01-01\n", encoding="utf-8")
    (folder / "links" / "ff").mkdir()
    (folder / "links" / "ff" / "kz-no-event.toml").write_text('stance = "consistent"\n', encoding="utf-8")
    gone = Path("records/kz/promises/kz-gone/statements")
    gone.mkdir(parents=True)
    (gone / "2019-09-02-a.toml").write_text("date = 2019-09-02\n", encoding="utf-8")
    tracker("add-promise", "--country", "US", "--official", "A", "--title", "Close it", "--date", "2019-01",
            "--id", "us-close")
    tracker("link", "kz-2019-09-21-dvk-rally", "--consistent", "us-close")
    future = "  hint: a date after the as-of date is allowed; make sure it is not a typo\n"
    assert tracker("check", "--as-of", "2020-01-01", code=1).stderr == (
        f"{folder}/links/ff/kz-no-event.toml: links the event kz-no-event, but no event has that ID; it was not "
        "counted\n  hint: the event was deleted or renamed (perhaps on another branch): delete this file, or "
        "restore the event\n"
        f"{folder}/ratings/2019-05-31-kept-00000000.toml:3: date: 2019-05-31 is before the pledge was made "
        "(2019-06)\n  3 | date = 2019-05-31\n"
        "  hint: a pledge can only be rated after it was made: check the dates\n"
        f"{folder}/ratings/2020-02-kept-00000000.toml:3: warning: date: 2020-02 ends after 2020-01-01; it is not "
        f'counted until 2020-02-29\n  3 | date = "2020-02"\n{future}'
        f"{folder}/statements/2021-01-01-b.toml:1: warning: date: 2021-01-01 is after 2020-01-01; it is not "
        f"counted until then\n  1 | date = 2021-01-01\n{future}"
        f"{gone}/2019-09-02-a.toml: belongs to the promise kz-gone, but there is no kz-gone.toml beside its "
        "folder; it was not counted\n  hint: the promise was deleted or renamed (perhaps on another branch): "
        "delete this file, or restore the promise\n"
        "records/us/promises/us-close/links/c7/kz-2019-09-21-dvk-rally.toml: warning: links an event in KZ to "
        "us-close, a promise of US\n  hint: right for an event across a border; otherwise fix the event's "
        "country or the link\n"
        "2 promises and 5 events valid; 3 errors, 3 warnings\n")


# ---------------------------------------------------------------------------
# Settings.

CONFIG = "records/tracker.toml"


def test_every_setting_is_read_back(tracker, kz):
    edit_file(CONFIG, "[scoring]\n", "auto_commit = true\n\n[scoring]\n")
    edit_file(CONFIG, "stall_days = 365", "stall_days = 36500")
    edit_file(CONFIG, "term_due = true", "term_due = false")
    edit_file(CONFIG, "fulfills = 4", "fulfills = 0.5")
    edit_file(CONFIG, "breaks = 4", "breaks = 100")
    config = read_records(kz, as_of="2020-01-01").config
    assert (config.auto_commit, config.stall_days, config.term_due) == (True, 36500, False)
    assert config.multipliers == {"fulfills": 0.5, "partly-fulfills": 2, "advances": 1, "consistent": 1,
                                  "contradicts": 1, "partly-breaks": 2, "breaks": 100}


def test_settings_left_out_take_their_defaults(tracker, kz):
    Path(CONFIG).write_text("", encoding="utf-8")
    config = read_records(kz, as_of="2020-01-01").config
    assert (config.auto_commit, config.stall_days, config.term_due) == (False, 365, True)
    assert config.multipliers == {"fulfills": 4, "partly-fulfills": 2, "advances": 1, "consistent": 1,
                                  "contradicts": 1, "partly-breaks": 2, "breaks": 4}


def test_settings_of_the_wrong_type_or_name(tracker, kz):
    edit_file(CONFIG, "[scoring]\n", 'auto_commit = "yes"\n\n[scoring]\nstal_days = 3\n')
    edit_file(CONFIG, "term_due = true", "term_due = 1")
    edit_file(CONFIG, "fulfills = 4", "fulfills = true\nobstructs = 2\nkeeps = 1")
    assert tracker("check", code=1).stderr == (
        f'{CONFIG}:4: auto_commit: must be true or false\n  4 | auto_commit = "yes"\n'
        f"{CONFIG}:7: warning: scoring.stal_days: unknown field, ignored\n  7 | stal_days = 3\n"
        "  hint: did you mean 'stall_days'?\n"
        f"{CONFIG}:12: scoring.term_due: must be true or false\n  12 | term_due = 1\n"
        f"{CONFIG}:16: scoring.multipliers.fulfills: must be a number from 0 to 100, got True\n"
        "  16 | fulfills = true\n  hint: the defaults run from 1 to 4; write a plain number such as fulfills = 4\n"
        f"{CONFIG}:17: warning: scoring.multipliers.obstructs: unknown field, ignored\n  17 | obstructs = 2\n"
        "  hint: did you mean 'contradicts'?\n"
        f"{CONFIG}:18: warning: scoring.multipliers.keeps: unknown field, ignored\n  18 | keeps = 1\n"
        "  hint: known fields: fulfills, partly-fulfills, advances, consistent, contradicts, partly-breaks, "
        "breaks\n"
        "1 promise and 5 events valid; 3 errors, 3 warnings\n")
    config = read_records(kz, as_of="2020-01-01").config
    assert (config.auto_commit, config.term_due, config.multipliers["fulfills"]) == (False, True, 4)


def test_scoring_that_is_not_a_table(tracker, kz):
    Path(CONFIG).write_text("scoring = 5\n", encoding="utf-8")
    assert tracker("check", code=1).stderr.startswith(
        f"{CONFIG}:1: scoring: expected a table [scoring], got a number\n  1 | scoring = 5\n")


# ---------------------------------------------------------------------------
# Events: their kind, folder, counts and severity.

RALLY = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"


def test_an_event_s_kind_folder_and_counts_at_their_lines(tracker, kz):
    edit_file(RALLY, 'kind = "detention"', 'kind = "Mass detention"')
    edit_file(RALLY, "date = 2019-09-21", "date = 2019-08-21")
    edit_file(RALLY, "fined = 15", "fines = 15")
    assert tracker("check", code=1).stderr == (
        f"{RALLY}:4: date: is 2019-08-21 but the file is in the 2019/09/ folder\n  4 | date = 2019-08-21\n"
        "  hint: move the file to the 2019/08/ folder or fix the date\n"
        f"{RALLY}:6: kind: 'Mass detention' is not a lowercase word such as detention or legal-change\n"
        '  6 | kind = "Mass detention"\n'
        f"{RALLY}:16: warning: counts.fines: unknown field, ignored\n  16 | fines = 15\n"
        "  hint: did you mean 'fined'?\n"
        "1 promise and 4 events valid; 2 errors, 1 warning\n")


def test_events_in_a_year_folder(tracker, kz):
    """The layout before month folders: an event dated to its year, or within it, is read there."""
    folder = Path("records/kz/events/2018")
    folder.mkdir()
    for ident, date, extra in (("kz-2018-a", "2018-03-02", "counts = 3\n"), ("kz-2018-b", '"2018-03"', ""),
                               ("kz-2018-c", '"2017"', ""), ("kz-2018-d", '"2018"', "")):
        (folder / f"{ident}.toml").write_text(f'id = "{ident}"\ncountry = "KZ"\ndate = {date}\ntitle = "A"\n{extra}',
                                             encoding="utf-8")
    assert tracker("check", code=1).stderr == (
        f"{folder}/kz-2018-a.toml:5: counts: expected a table [counts], got a number\n  5 | counts = 3\n"
        f"{folder}/kz-2018-c.toml:3: date: is 2017 but the file is in the 2018/ folder\n  3 | date = \"2017\"\n"
        "  hint: move the file to the 2017/ folder or fix the date\n"
        f"records: warning: 1 file(s) are in the earlier layout, such as {folder}/kz-2018-b.toml; they are read as "
        "they are, but restatements, ratings and links in them merge badly in git\n"
        "  hint: run `tracker migrate` to convert the directory (docs/records.md)\n"
        "1 promise and 7 events valid; 2 errors, 1 warning\n")


def test_an_event_without_a_severity_weighs_1(tracker, kz):
    edit_file(RALLY, "severity = 3\n", "")
    (rally,) = (e for e in exported(tracker, "events.json") if e["id"] == "kz-2019-09-21-dvk-rally")
    assert rally["severity"] == 1


# ---------------------------------------------------------------------------
# Fields of the wrong kind: each at its line, with its hint.

def test_a_promise_with_a_slip_in_every_field(tracker, kz):
    text = Path(PROMISE).read_text(encoding="utf-8")
    for old, new in (('country = "KZ"', 'country = "US"'), ('official = "Kassym-Jomart Tokayev"', 'official = ""'),
                     ('office = "President of Kazakhstan"', "office = 3"),
                     ('"assembly",', '"assembly",\n    "a\\u0007b",')):
        text = text.replace(old, new)
    Path(PROMISE).unlink()
    bad = Path("records/kz/promises/Bad_Name.toml")
    bad.write_text(text + '\n[[ratings]]\nverdict = "kept"\nrationale = "x"\nsources = "https://example.org"\n',
                   encoding="utf-8")
    assert tracker("check", code=1).stderr.startswith(
        f"{bad}: file name: 'Bad_Name' is not a valid ID: use lowercase letters, digits and single hyphens, as "
        "kz-assembly-law\n  hint: rename the file to <id>.toml with a valid ID\n"
        f"{bad}:2: id: is 'kz-assembly-law' but the file is named Bad_Name.toml\n"
        '  2 | id = "kz-assembly-law"\n  hint: the ID is the file name: rename the file or fix the id\n'
        f'{bad}:3: country: is US but the file is in the kz/ folder\n  3 | country = "US"\n'
        "  hint: move the file under us/ or fix the country\n"
        f'{bad}:4: official: is empty\n  4 | official = ""\n  hint: write a value, or remove the field\n'
        f'{bad}:5: office: expected a string, got a number\n  5 | office = 3\n'
        '  hint: write it in quotes: office = "..."\n'
        f"{bad}:8: topics: holds the control character U+0007 at character 2; only tab and line breaks are "
        "allowed\n  8 | topics = [\n"
        "  hint: delete the character; it may be invisible in an editor (search for it by its code)\n"
        f"{bad}:20: missing required field 'date'\n  20 | verdict = \"kept\"\n  hint: add a line: date = 2019-09-21\n"
        f'{bad}:22: ratings[0].sources: expected a list of strings, got a string\n'
        '  22 | sources = "https://example.org"\n  hint: write sources = ["..."]\n')


def test_a_list_field_that_is_a_string_and_an_unknown_field(tracker, kz):
    edit_file(PROMISE, "topics = [", 'topics = "assembly"\nx = [')
    assert tracker("check", code=1).stderr == (
        f'{PROMISE}:8: topics: expected a list of strings, got a string\n  8 | topics = "assembly"\n'
        '  hint: write topics = ["..."]\n'
        f"{PROMISE}:9: warning: x: unknown field, ignored\n  9 | x = [\n"
        "  hint: known fields: kind, id, country, official, office, title, text, topics, deadline, statements, "
        "ratings, source_id\n"
        "0 promises and 5 events valid; 1 error, 1 warning\n")


def test_the_parse_cache_is_kept_unless_turned_off(tracker, kz):
    tracker("check", "--no-cache")
    assert not (kz / ".tracker-cache").exists()
    tracker("check")
    assert (kz / ".tracker-cache").is_dir()


def test_a_source_s_scheme_may_be_in_capitals(tracker, kz):
    edit_file(RALLY, '"https://www.hrw.org/', '"HTTPS://www.hrw.org/')
    tracker("check")


def test_a_record_with_only_a_warning_is_counted(tracker, kz):
    edit_file(PROMISE, 'office = "', 'ofice = "x"\noffice = "')
    edit_file(RALLY, 'location = "Almaty"', 'locaton = "Almaty"')
    result = tracker("report", "--as-of", "2019-09-30", "--format", "json")
    assert "warning: ofice: unknown field, ignored" in result.stderr
    (promise,) = json.loads(result.stdout)["promises"]
    assert (promise["id"], promise["score"]) == ("kz-assembly-law", 17)


def test_a_record_dated_on_the_as_of_date_is_counted_without_a_warning(tracker, kz):
    with open(PROMISE, "a", encoding="utf-8") as file:
        file.write('\n[[ratings]]\ndate = 2019-09-21\nverdict = "compromise"\nrationale = "x"\n')
    tracker("rate", "kz-assembly-law", "--verdict", "kept", "--date", "2019-09-21", "--rationale", "x")
    warned = tracker("check", "--as-of", "2019-09-21").stderr
    assert f"{PROMISE}:" not in warned and f"{RALLY}:" not in warned and "/ratings/" not in warned, warned
    line = Path(PROMISE).read_text(encoding="utf-8").count("\n") - 2
    assert (f"{PROMISE}:{line}: warning: ratings[0].date: 2019-09-21 is after 2019-09-20; it is not counted until "
            "then\n") in tracker("check", "--as-of", "2019-09-20").stderr


def test_a_file_s_problems_without_a_line_come_before_those_with_one(tracker, kz):
    event = Path("records/kz/events/2019/kz-2019-untitled.toml")
    event.write_text('id = "kz-other"\ncountry = "KZ"\ndate = "2019"\n', encoding="utf-8")
    assert tracker("check", code=1).stderr == (
        f"{event}: missing required field 'title'\n  hint: add a line: title = \"...\"\n"
        f'{event}:1: id: is \'kz-other\' but the file is named kz-2019-untitled.toml\n  1 | id = "kz-other"\n'
        "  hint: the ID is the file name: rename the file or fix the id\n"
        "1 promise and 5 events valid; 2 errors, 0 warnings\n")


def test_a_promise_restated_inside_its_own_file_is_in_the_earlier_layout(tracker, kz):
    edit_file(PROMISE, "[[statements]]", '[[statements]]\ndate = "2019-05"\n\n[[statements]]')
    assert tracker("check").stderr.startswith(
        f"records: warning: 1 file(s) are in the earlier layout, such as {PROMISE}; they are read as they are, "
        "but restatements, ratings and links in them merge badly in git\n")


def test_statements_that_are_not_tables_and_a_title_with_a_control_character(tracker, kz):
    edit_file(PROMISE, "[[statements]]", "statements = 5\n[[x]]")
    edit_file(PROMISE, 'title = "', 'title = "\\u001b')
    error = tracker("check", code=1).stderr
    assert (f"{PROMISE}:6: title: holds the control character U+001B at character 1; only tab and line breaks are "
            'allowed\n  6 | title = "\\u001bReform the law on peaceful assemblies"\n'
            "  hint: delete the character; it may be invisible in an editor (search for it by its code)\n") in error
    assert (f"{PROMISE}:12: statements: expected tables written as [[statements]], got a number\n"
            "  12 | statements = 5\n") in error
