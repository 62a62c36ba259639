"""The scoring method at the edge of each rule, through `report --format json` (these kill the mutants that
benchmarks/mutation.py makes of tracker/score.py)."""

from __future__ import annotations

import json

import pytest

URL = "https://example.org/source"


@pytest.fixture
def pledge(tracker, records):
    """A promise made on 2019-06-12; add(date, stance) links an event to it; assess(as_of) reads it back."""
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Reform", "--date", "2019-06-12",
            "--id", "p", "--source", URL)

    class Pledge:
        @staticmethod
        def add(date: str, stance: str, promise: str = "p", country: str = "KZ") -> None:
            tracker("add-event", "--country", country, "--date", date, "--title", f"{stance} {date} {promise}",
                    f"--{stance}", promise)

        @staticmethod
        def report(*extra: str) -> dict:
            return json.loads(tracker("report", "--as-of", "2019-12-31", "--format", "json", *extra).stdout)

        @classmethod
        def assess(cls) -> dict:
            return cls.report()["promises"][0]

    return Pledge


def test_a_score_between_0_and_100(pledge):
    pledge.add("2019-07-01", "consistent")
    pledge.add("2019-07-02", "contradicts")
    assert pledge.assess()["score"] == 50


def test_a_total_weight_under_1_still_scores(pledge, records):
    config = records / "tracker.toml"
    config.write_text(config.read_text().replace("consistent = 1", "consistent = 0.5"))
    pledge.add("2019-07-01", "consistent")
    assert (pledge.assess()["support"], pledge.assess()["score"]) == (0.5, 100)


def test_an_event_on_the_day_the_pledge_was_made_is_scored(pledge):
    pledge.add("2019-06-12", "contradicts")
    assessed = pledge.assess()
    assert (assessed["evidence"][0]["scored"], assessed["against"]) == (True, 1)


@pytest.mark.parametrize("stance, verdict, reason", [
    ("breaks", "broken", "an event breaks the pledge"),
    ("fulfills", "kept", "an event fulfils the pledge"),
    ("partly-fulfills", "compromise", "an event fulfils the pledge in part"),
    (None, "not-rated", "too little evidence yet"),
])
def test_each_verdict_gives_its_reason(pledge, stance, verdict, reason):
    if stance:
        pledge.add("2019-07-01", stance)
    assessed = pledge.report("--as-of", "2019-07-31")["promises"][0]
    assert (assessed["computed_verdict"], assessed["reason"]) == (verdict, reason)


def test_a_country_filter_keeps_the_chosen_promises_evidence(tracker, pledge):
    tracker("add-promise", "--country", "US", "--official", "U", "--title", "Budget", "--date", "2019-06-12",
            "--id", "q", "--source", URL)
    pledge.add("2019-07-01", "contradicts")
    pledge.add("2019-07-02", "consistent", promise="q", country="US")
    chosen = pledge.report("--country", "KZ")["promises"]
    assert [(p["id"], p["support"], p["against"]) for p in chosen] == [("p", 0, 1)]


def test_the_tally_counts_every_promise_of_a_verdict(tracker, pledge):
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Another", "--date", "2019-06-12",
            "--id", "p2", "--source", URL)
    assert pledge.report("--as-of", "2019-07-31")["summary"]["not-rated"] == 2


def test_show_says_what_the_score_means_or_that_there_is_none(tracker, kz, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one line each
    shown = tracker("show", "kz-assembly-law", "--as-of", "2019-09-30").stdout
    assert ("The score, 17, is the share of the weight of the evidence that supports the pledge (2 of 12).\n"
            in shown), shown
    tracker("add-promise", "--country", "KZ", "--official", "A", "--title", "Free the press", "--date", "2019-01",
            "--id", "kz-press")
    shown = tracker("show", "kz-press", "--as-of", "2019-09-30").stdout
    assert shown.endswith(" There is no score yet: no evidence counts.\n"), shown
