"""What the commands write is read back field by field, and ratings, links and pledge dates are checked at
their edges, with whole messages (where, the line, what is wrong, the hint)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import edit_file

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
