"""The scoring method, rule by rule, each with a worked case (as docs/method.md states it)."""

from __future__ import annotations

import json

import pytest

URL = "https://example.org/source"


@pytest.fixture
def pledge(tracker, records):
    """A promise made on 2019-06-12; event(date, stance) links an event to it; assess(as_of) reads it back."""
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Reform", "--date", "2019-06-12",
            "--id", "p", "--source", URL)

    class Pledge:
        @staticmethod
        def event(date: str, stance: str, severity: int = 1, title: str | None = None, promise: str = "p",
                  country: str = "KZ") -> None:
            tracker("add-event", "--country", country, "--date", date, "--title",
                    title or f"{stance} {date}" + (f" {promise}" if promise != "p" else ""),
                    "--severity", str(severity), f"--{stance}", promise)

        @staticmethod
        def report(*extra: str, as_of: str = "2019-12-31") -> dict:
            return json.loads(tracker("report", "--as-of", as_of, "--format", "json", *extra).stdout)

        @classmethod
        def assess(cls, as_of: str = "2019-12-31") -> dict:
            promises = cls.report(as_of=as_of)["promises"]
            return promises[0] if promises else {}

    return Pledge


def test_worked_example_from_the_shipped_records(tracker, kz):
    promise = json.loads(tracker("report", "--as-of", "2019-09-30", "--format", "json").stdout)["promises"][0]
    assert [(e["stance"], e["weight"]) for e in promise["evidence"]] == [
        ("contradicts", 5), ("consistent", 1), ("contradicts", 2), ("consistent", 1), ("contradicts", 3)]
    assert (promise["support"], promise["against"], promise["score"], promise["verdict"]) == (2, 10, 17, "contradicted")


def test_weight_is_link_severity_else_event_severity_times_multiplier(tracker, pledge, records):
    pledge.event("2019-07-01", "partly-fulfills", severity=3)
    assert pledge.assess("2019-12-31")["evidence"][0]["weight"] == 6  # the event's severity 3 × 2
    path = next(records.glob("kz/promises/*/links/*/*.toml"))
    path.write_text(path.read_text() + "severity = 2\n")  # the link's own severity overrides the event's
    assert pledge.assess("2019-12-31")["evidence"][0]["weight"] == 4


def test_multipliers_and_stall_days_come_from_tracker_toml(tracker, pledge, records):
    assert pledge.assess("2019-07-13")["verdict"] == "not-rated"
    config = records / "tracker.toml"
    config.write_text(config.read_text().replace("contradicts = 1", "contradicts = 3")
                      .replace("stall_days = 365", "stall_days = 30"))
    assert pledge.assess("2019-07-13")["verdict"] == "stalled"  # 31 days after 2019-06-12
    pledge.event("2019-07-01", "contradicts", severity=2)
    assert pledge.assess("2019-12-31")["against"] == 6


def test_fractional_multipliers_keep_exact_halves(tracker, pledge, records):
    config = records / "tracker.toml"
    config.write_text(config.read_text().replace("consistent = 1", "consistent = 0.3")
                      .replace("contradicts = 1", "contradicts = 0.3"))
    pledge.event("2019-07-01", "consistent", severity=3)  # 0.9, which floating point holds as 0.8999…
    pledge.event("2019-07-02", "contradicts", severity=5)  # 1.5: 0.9 / 2.4 = 37.5 exactly
    assert pledge.assess("2019-12-31")["score"] == 38


def test_score_half_is_rounded_up_not_to_even(tracker, pledge):
    pledge.event("2019-07-01", "consistent")
    for day in range(2, 9):
        pledge.event(f"2019-07-{day:02d}", "contradicts")
    assert pledge.assess("2019-12-31")["score"] == 13  # 1 / 8 = 12.5 → 13 (round() would give 12)


def test_no_evidence_means_no_score(tracker, pledge):
    assert pledge.assess("2019-12-31")["score"] is None


def test_rule_1_editorial_rating_wins_and_computed_is_shown(tracker, pledge):
    pledge.event("2019-07-01", "breaks")
    tracker("rate", "p", "--verdict", "kept", "--date", "2019-08", "--rationale", "Law passed")
    promise = pledge.assess("2019-08-31")
    assert (promise["verdict"], promise["verdict_source"], promise["computed_verdict"]) == \
        ("kept", "editorial", "broken")
    assert pledge.assess("2019-08-30")["verdict"] == "broken"  # "2019-08" counts from its last day


def test_rule_1_latest_rating_decides(tracker, pledge):
    tracker("rate", "p", "--verdict", "stalled", "--date", "2019-07-01", "--rationale", "a")
    tracker("rate", "p", "--verdict", "compromise", "--date", "2019-09-01", "--rationale", "b")
    assert pledge.assess("2019-08-01")["verdict"] == "stalled"
    assert pledge.assess("2019-09-01")["verdict"] == "compromise"


def test_rule_2_breaks_beats_fulfills(tracker, pledge):
    pledge.event("2019-07-01", "fulfills", severity=5)
    pledge.event("2019-08-01", "breaks")
    assert pledge.assess("2019-12-31")["verdict"] == "broken"


def test_rule_3_fulfills_means_kept_even_when_outweighed(tracker, pledge):
    pledge.event("2019-07-01", "fulfills")
    pledge.event("2019-07-02", "contradicts", severity=5)
    assert pledge.assess("2019-12-31")["verdict"] == "kept"


def test_rule_4_partly_fulfills_means_compromise(tracker, pledge):
    pledge.event("2019-07-01", "partly-fulfills")
    assert pledge.assess("2019-12-31")["verdict"] == "compromise"


def test_rule_5_deadline_passed_means_broken(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "By year end", "--date", "2019-06",
            "--deadline", "2019-12", "--id", "d")
    def verdict(as_of):
        return json.loads(tracker("report", "--as-of", as_of, "--format", "json").stdout)["promises"][0]["verdict"]

    assert verdict("2019-12-31") == "not-rated"  # the deadline month is not over until its last day
    assert verdict("2020-01-01") == "broken"


def test_rule_6_against_outweighs_support(tracker, pledge):
    pledge.event("2019-07-01", "consistent", severity=2)
    pledge.event("2019-07-02", "contradicts", severity=2)
    assert pledge.assess("2019-12-31")["verdict"] != "contradicted"  # equal is not outweighed
    pledge.event("2019-07-03", "contradicts")
    assert pledge.assess("2019-12-31")["verdict"] == "contradicted"


def test_rule_7_recent_advance_means_in_progress(tracker, pledge):
    pledge.event("2019-07-01", "advances")
    assert pledge.assess("2020-06-30")["verdict"] == "in-progress"  # 365 days after 2019-07-01
    assert pledge.assess("2020-07-01")["verdict"] == "stalled"  # 366 days: the advance is too old


def test_rule_8_old_promise_with_nothing_decided_is_stalled(tracker, pledge):
    assert pledge.assess("2020-06-11")["verdict"] == "not-rated"  # made 2019-06-12: 365 days
    assert pledge.assess("2020-06-12")["verdict"] == "stalled"


def test_rule_9_otherwise_not_rated(tracker, pledge):
    pledge.event("2019-07-01", "consistent")
    assert pledge.assess("2019-07-31")["verdict"] == "not-rated"


def test_events_before_the_pledge_are_context_not_scored(tracker, pledge):
    pledge.event("2019-06-11", "contradicts", severity=5)
    pledge.event("2019-06", "contradicts", severity=2)  # June may include the 12th: it counts
    promise = pledge.assess("2019-12-31")
    assert [(e["date"], e["scored"]) for e in promise["evidence"]] == [("2019-06", True), ("2019-06-11", False)]
    assert promise["against"] == 2


def test_promise_not_made_by_as_of_is_left_out(tracker, pledge):
    assert pledge.assess("2019-06-11") == {}
    assert pledge.assess("2019-06-12")["id"] == "p"


def test_restatements_count_only_up_to_as_of(tracker, pledge):
    tracker("restate", "p", "--date", "2019-09-02")
    assert pledge.assess("2019-09-01")["statements"] == ["2019-06-12"]
    assert pledge.assess("2019-09-02")["statements"] == ["2019-06-12", "2019-09-02"]


def test_tally_counts_promises_per_verdict(tracker, pledge):
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Other", "--date", "2019-06",
            "--id", "q")
    tracker("add-event", "--country", "KZ", "--date", "2019-07", "--title", "law", "--fulfills", "q")
    summary = json.loads(tracker("report", "--as-of", "2019-12-31", "--format", "json").stdout)["summary"]
    assert summary == {"kept": 1, "compromise": 0, "broken": 0, "contradicted": 0, "in-progress": 0,
                       "stalled": 0, "not-rated": 1}
    assert "1 kept, 1 not-rated" in tracker("report", "--as-of", "2019-12-31").stdout


# ---------------------------------------------------------------------------
# The method at the edge of each rule, through `report --format json` (these kill the mutants that
# benchmarks/mutation.py makes of tracker/score.py).

def test_a_score_between_0_and_100(pledge):
    pledge.event("2019-07-01", "consistent")
    pledge.event("2019-07-02", "contradicts")
    assert pledge.assess()["score"] == 50


def test_a_total_weight_under_1_still_scores(pledge, records):
    config = records / "tracker.toml"
    config.write_text(config.read_text().replace("consistent = 1", "consistent = 0.5"))
    pledge.event("2019-07-01", "consistent")
    assert (pledge.assess()["support"], pledge.assess()["score"]) == (0.5, 100)


def test_an_event_on_the_day_the_pledge_was_made_is_scored(pledge):
    pledge.event("2019-06-12", "contradicts")
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
        pledge.event("2019-07-01", stance)
    assessed = pledge.report("--as-of", "2019-07-31")["promises"][0]
    assert (assessed["computed_verdict"], assessed["reason"]) == (verdict, reason)


def test_a_country_filter_keeps_the_chosen_promises_evidence(tracker, pledge):
    tracker("add-promise", "--country", "US", "--official", "U", "--title", "Budget", "--date", "2019-06-12",
            "--id", "q", "--source", URL)
    pledge.event("2019-07-01", "contradicts")
    pledge.event("2019-07-02", "consistent", promise="q", country="US")
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
