"""The method's rules for terms of office, obstacles, partial delivery and coarse dates, each at its edges;
and docs/method.md held to the code (its rule list, its stance table and its worked examples)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import REPO

from tracker.score import RULES
from tracker.vocabulary import STANCES

URL = "https://example.org/source"
METHOD = (REPO / "docs/method.md").read_text(encoding="utf-8")


class Case:
    """One promise in a fresh records directory, with ways to add to it and read its verdict."""

    def __init__(self, tracker, made: str, deadline: str | None = None, official: str = "Barack Obama") -> None:
        self.tracker = tracker
        tracker("add-promise", "--country", "US", "--official", official, "--title", "Close the centre",
                "--date", made, "--id", "p", "--source", URL, *(["--deadline", deadline] if deadline else []))

    def term(self, start: str, end: str | None = None, official: str = "Barack Obama", country: str = "US") -> None:
        self.tracker("add-term", "--country", country, "--official", official, "--start", start,
                     *(["--end", end] if end else []))

    def event(self, date: str, stance: str, title: str | None = None, severity: int = 1) -> str:
        return self.tracker("add-event", "--country", "US", "--date", date, "--title", title or f"{stance} {date}",
                            "--severity", str(severity), f"--{stance}", "p").stdout.strip()

    def restate(self, date: str) -> None:
        self.tracker("restate", "p", "--date", date)

    def verdict(self, as_of: str) -> tuple[str, str]:
        promise = json.loads(self.tracker("report", "--as-of", as_of, "--format", "json").stdout)["promises"][0]
        return promise["verdict"], promise["reason"]


@pytest.fixture
def case(tracker, records):
    return lambda *args, **kwargs: Case(tracker, *args, **kwargs)


# ---------------------------------------------------------------------------
# The docs are the code's

def test_the_rule_list_in_the_docs_is_the_code_s():
    block = METHOD.split("<!-- rules:", 1)[1].split("<!-- end rules -->", 1)[0]
    listed = re.findall(r"^(\d+)\. (.*) → `([a-z-]+)`$", block, re.M)
    assert [(int(n), text, verdict) for n, text, verdict in listed] == [
        (n, text, verdict) for n, (verdict, text) in enumerate(RULES, 1)]


def test_the_stance_table_in_the_docs_is_the_code_s():
    rows = re.findall(r"^\| `([a-z-]+)` \| (.*?) \| (support|against|neither) \| (\S+) \|$", METHOD, re.M)
    assert rows == [(name, s.meaning, s.side, f"{s.multiplier:g}" if s.side != "neither" else "–")
                    for name, s in STANCES.items()]


def test_the_site_s_methodology_lists_the_same_rules(tracker, kz):
    tracker("site", "site", "--as-of", "2019-09-30")
    html = Path("site/methodology.html").read_text(encoding="utf-8")
    assert [v for v in re.findall(r"→ <strong>([a-z-]+)</strong>", html)] == [v for v, _ in RULES]


# ---------------------------------------------------------------------------
# Terms of office

def test_a_campaign_pledge_falls_due_at_the_end_of_the_term_it_was_made_to_win(case):
    c = case("2008")
    c.term("2009-01-20", "2013-01-20")
    assert c.verdict("2013-01-20")[0] == "stalled"  # the last day of the term: still open
    assert c.verdict("2013-01-21") == ("broken", "the term ended on 2013-01-20 without the pledge being fulfilled")


def test_a_re_election_carries_the_pledge_into_the_next_term(case):
    c = case("2008")
    c.term("2009-01-20", "2013-01-20")
    c.term("2013-01-21", "2017-01-20")  # begins the day after: consecutive
    assert c.verdict("2013-01-22")[0] == "stalled"
    assert c.verdict("2017-01-21") == ("broken", "the term ended on 2017-01-20 without the pledge being fulfilled")


def test_a_second_term_still_running_leaves_the_pledge_open(case):
    c = case("2008")
    c.term("2009-01-20", "2013-01-20")
    c.term("2013-01-20")
    assert c.verdict("2020-01-01")[0] == "stalled"


def test_after_a_time_out_of_office_a_restatement_renews_the_pledge_for_the_later_term(case):
    c = case("2008")
    c.term("2009-01-20", "2013-01-20")
    c.term("2013-01-22", "2017-01-20")  # two days later: not consecutive
    assert c.verdict("2013-01-21")[0] == "broken"
    c.restate("2013-05-23")
    assert c.verdict("2014-01-01")[0] == "stalled"  # restated in the later term: due at its end
    assert c.verdict("2017-01-21") == ("broken", "the term ended on 2017-01-20 without the pledge being fulfilled")


def test_a_statement_on_the_day_one_term_ends_and_the_next_begins_belongs_to_the_next(case):
    c = case("2013-01-20")
    c.term("2009-01-20", "2013-01-20")
    c.term("2013-01-20", "2017-01-20")
    assert c.verdict("2013-01-21")[0] == "not-rated"
    assert c.verdict("2017-01-21")[0] == "broken"


@pytest.mark.parametrize("made", ["2009-01-20", "2013-01-20"])
def test_a_pledge_made_on_the_first_or_last_day_of_a_term_falls_due_at_its_end(case, made):
    c = case(made)
    c.term("2009-01-20", "2013-01-20")
    c.term("2017-01-20", "2021-01-20")  # a later, separate term
    assert c.verdict("2013-01-21") == ("broken", "the term ended on 2013-01-20 without the pledge being fulfilled")


@pytest.mark.parametrize("last_end, verdict", [(None, "stalled"), ("2017-01-20", "broken")])
def test_of_two_terms_that_continue_one_the_longest_carries_the_pledge_on(case, tracker, last_end, verdict):
    """Two records of the next term: the one that ends last (or has not ended) decides when the pledge is due."""
    c = case("2009-03-01")
    c.term("2009-01-20", "2013-01-20")
    for ident, end in (("us-b", "2015-01-20"), ("us-c", last_end)):
        tracker("add-term", "--country", "US", "--official", "Barack Obama", "--start", "2013-01-21", "--id", ident,
                *(["--end", end] if end else []))
    assert c.verdict("2016-01-01")[0] == "stalled"
    assert c.verdict("2017-01-21")[0] == verdict


def test_show_names_the_term_a_pledge_falls_due_with(case, tracker, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    case("2009-03-01")
    tracker("add-term", "--country", "US", "--official", "Barack Obama", "--start", "2009-01-20", "--end", "2013-01-20")
    assert "2013-01-20 (the end of the term that began on 2009-01-20)" in tracker("show", "p", "--as-of",
                                                                                 "2010-01-01").stdout


def test_a_running_term_or_none_recorded_sets_no_due_date(case, records):
    c = case("2009-03-01")
    assert c.verdict("2030-01-01")[0] == "stalled"
    c.term("2009-01-20")  # no end yet
    assert c.verdict("2030-01-01")[0] == "stalled"


def test_terms_match_the_official_in_any_case_and_spacing_within_the_country(case):
    c = case("2009-03-01", official="Barack  Obama")
    c.term("2009-01-20", "2013-01-20", official="barack obama", country="CA")
    assert c.verdict("2013-01-21")[0] == "stalled"  # another country's official of that name
    c.term("2009-01-20", "2013-01-20", official="barack obama")
    assert c.verdict("2013-01-21")[0] == "broken"


def test_term_due_false_turns_the_rule_off(case, records):
    c = case("2009-03-01")
    c.term("2009-01-20", "2013-01-20")
    config = records / "tracker.toml"
    config.write_text(config.read_text().replace("term_due = true", "term_due = false"))
    assert c.verdict("2013-01-21")[0] == "stalled"


def test_a_deadline_comes_before_the_term(case):
    c = case("2009-03-01", deadline="2020")
    c.term("2009-01-20", "2013-01-20")
    assert c.verdict("2013-01-21")[0] == "stalled"
    assert c.verdict("2021-01-01") == ("broken", "the deadline, 2020, passed without the pledge being fulfilled")


def test_delivery_before_the_term_ended_keeps_its_verdict(case):
    c = case("2009-03-01")
    c.term("2009-01-20", "2013-01-20")
    c.event("2010-01-01", "partly-fulfills")
    assert c.verdict("2013-01-21")[0] == "compromise"
    c.event("2012-01-01", "fulfills")
    assert c.verdict("2013-01-21")[0] == "kept"


def test_add_term_refuses_an_end_before_the_start_and_check_reports_one_in_a_file(tracker, records):
    result = tracker("add-term", "--country", "US", "--official", "A", "--start", "2009-01-20", "--end", "2008",
                     code=2)
    assert "2008 is before the start, 2009-01-20" in result.stderr
    folder = records / "us" / "terms"
    folder.mkdir(parents=True)
    (folder / "us-a.toml").write_text('country = "US"\nofficial = "A"\nstart = 2009-01-20\nend = 2008-01-01\n')
    out = tracker("check", code=1).stderr
    assert "us/terms/us-a.toml:4: end: 2008-01-01 is before the start, 2009-01-20" in out


# ---------------------------------------------------------------------------
# Obstacles

def test_an_obstacle_weighs_nothing_and_stalls_while_it_is_the_latest_evidence(case, tracker):
    c = case("2013-05-23")
    ident = c.event("2013-07", "obstructs", "Congress bars transfers", severity=4)
    promise = json.loads(tracker("report", "--as-of", "2014-01-01", "--format", "json").stdout)["promises"][0]
    assert (promise["support"], promise["against"], promise["score"]) == (0, 0, None)
    assert promise["evidence"][0]["weight"] == 0
    assert (promise["verdict"], promise["reason"]) == ("stalled", f"blocked by {ident} (2013-07), the latest evidence")
    c.event("2014-06", "advances")
    assert c.verdict("2014-07-01")[0] == "in-progress"


def test_an_obstacle_does_not_hide_the_promise_maker_s_own_contrary_conduct(case):
    c = case("2013-05-23")
    c.event("2013-06-01", "contradicts")
    c.event("2013-07-01", "obstructs")
    assert c.verdict("2013-08-01")[0] == "contradicted"


def test_an_obstacle_that_is_not_the_latest_evidence_decides_nothing(case):
    c = case("2013-05-23")
    c.event("2013-06-01", "obstructs")
    c.event("2013-07-01", "consistent")
    assert c.verdict("2013-08-01")[0] == "not-rated"


# ---------------------------------------------------------------------------
# Partial delivery while the pledge is open

def test_work_after_a_partial_delivery_is_in_progress_while_recent_and_open(case):
    c = case("2017-01-10", deadline="2020-12-31")
    c.event("2018-03-01", "partly-fulfills")
    assert c.verdict("2018-06-01")[0] == "compromise"  # no step since
    c.event("2018-09-01", "advances")
    assert c.verdict("2019-01-01")[0] == "in-progress"
    assert c.verdict("2019-09-01")[0] == "in-progress"  # the step's last day is 365 days before D
    assert c.verdict("2019-09-02")[0] == "compromise"
    assert c.verdict("2021-01-01")[0] == "compromise"


def test_a_step_before_the_partial_delivery_is_not_further_work(case):
    c = case("2017-01-10")
    c.event("2017-06-01", "advances")
    c.event("2017-09-01", "partly-fulfills")
    assert c.verdict("2017-12-01")[0] == "compromise"


def test_a_step_on_the_day_of_the_partial_delivery_is_not_further_work(case):
    c = case("2017-01-10")
    c.event("2017-09-01", "partly-fulfills")
    c.event("2017-09-01", "advances")
    assert c.verdict("2017-12-01")[0] == "compromise"


def test_a_due_date_closes_the_work_on_a_partial_delivery(case):
    c = case("2017-01-10", deadline="2018-12-31")
    c.event("2018-03-01", "partly-fulfills")
    c.event("2018-09-01", "advances")
    assert c.verdict("2018-12-31")[0] == "in-progress"
    assert c.verdict("2019-01-01")[0] == "compromise"


# ---------------------------------------------------------------------------
# A coarse made date in the stall window

@pytest.mark.parametrize("as_of, verdict", [("2019-01-01", "not-rated"), ("2019-01-02", "stalled")])
def test_a_pledge_dated_by_its_year_stalls_a_window_after_the_year_began(case, as_of, verdict):
    c = case("2018")
    assert c.verdict(as_of)[0] == verdict


# ---------------------------------------------------------------------------
# Ratings cite sources; show says what it means

def test_a_rating_cites_its_sources(tracker, kz):
    tracker("rate", "kz-assembly-law", "--verdict", "compromise", "--date", "2020-05-25", "--rationale", "Weaker law",
            "--source", "https://example.org/a", "--source", "https://example.org/b")
    shown = json.loads(tracker("show", "kz-assembly-law", "--as-of", "2020-06-01", "--format", "json").stdout)
    assert shown["ratings"][0]["sources"] == ["https://example.org/a", "https://example.org/b"]
    assert shown["assessment"]["rating"]["sources"] == ["https://example.org/a", "https://example.org/b"]
    result = tracker("rate", "kz-assembly-law", "--verdict", "kept", "--date", "2020-06-01", "--rationale", "x",
                     "--source", "javascript:alert(1)", code=2)
    assert "is not an http or https URL" in result.stderr


def test_show_says_what_the_verdict_and_the_score_mean(tracker, kz):
    out = tracker("show", "kz-assembly-law", "--as-of", "2019-09-30").stdout
    flat = " ".join(out.split())
    assert ("What it means: The promise-maker's own conduct has gone against the pledge more than it has "
            "supported it. The score, 17, is the share of the weight of the evidence that supports the pledge "
            "(2 of 12).") in flat


# ---------------------------------------------------------------------------
# The validation against fact-checkers is reproducible

def test_the_validation_results_are_what_the_method_computes_today():
    from benchmarks.method.run import RESULTS, run

    results = run(None)
    assert results == RESULTS.read_text(encoding="utf-8"), "run `python -m benchmarks.method.run` again"
    assert "NO CAUSE WRITTEN YET" not in results and "now agree" not in results  # every disagreement explained


def test_the_site_shows_a_rating_s_sources(tracker, kz):
    tracker("rate", "kz-assembly-law", "--verdict", "compromise", "--date", "2019-09-25", "--rationale", "Weaker",
            "--source", "https://example.org/law")
    tracker("site", "site", "--as-of", "2019-09-30")
    page = Path("site/promises/kz-assembly-law.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/law"' in page.split('id="ratings-heading"')[1]


def test_the_codebook_s_verdict_table_is_the_code_s():
    from tracker.vocabulary import VERDICT_MEANINGS

    codebook = (REPO / "docs/codebook.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| ([A-Z][^|]*\.) \|$", codebook, re.M))
    assert rows == dict(VERDICT_MEANINGS)


# ---------------------------------------------------------------------------
# Missed targets

def test_a_missed_target_breaks_the_pledge_while_it_is_the_latest_evidence(case, tracker):
    c = case("2015-11-01")
    tracker("add-event", "--country", "US", "--date", "2016-12", "--title", "Deficit reaches 3% of GDP",
            "--misses", "p")
    promise = json.loads(tracker("report", "--as-of", "2017-01-15", "--format", "json").stdout)["promises"][0]
    assert (promise["support"], promise["against"], promise["score"]) == (0, 0, None)
    assert (promise["verdict"], promise["reason"]) == (
        "broken", "the latest evidence, us-2016-12-deficit-reaches-3-of-gdp (2016-12), shows the pledge being missed")
    c.event("2017-03", "advances")
    assert c.verdict("2017-04-01")[0] == "in-progress"


def test_a_missed_target_comes_before_the_balance_of_conduct(case):
    c = case("2015-11-01")
    c.event("2016-01-01", "contradicts")
    c.event("2016-06-01", "misses")
    assert c.verdict("2016-07-01")[0] == "broken"
    c.event("2016-08-01", "contradicts")  # the latest evidence is conduct again: the balance decides
    assert c.verdict("2016-09-01")[0] == "contradicted"


# ---------------------------------------------------------------------------
# A breach of part of a pledge

def test_a_partial_breach_is_a_compromise_that_weighs_against(case, tracker):
    c = case("2008-09-12")
    c.event("2009-02-04", "partly-breaks", severity=4)
    promise = json.loads(tracker("report", "--as-of", "2009-04-30", "--format", "json").stdout)["promises"][0]
    assert (promise["support"], promise["against"], promise["score"]) == (0, 8, 0)
    assert (promise["verdict"], promise["reason"]) == ("compromise", "an event breaks a part of the pledge")
    assert c.verdict("2009-02-03")[0] == "not-rated"  # not yet happened


def test_a_partial_breach_comes_after_a_whole_breach_or_delivery(case):
    c = case("2008-09-12")
    c.event("2009-02-04", "partly-breaks")
    c.event("2009-06-01", "fulfills")
    assert c.verdict("2009-07-01")[0] == "kept"
    c.event("2010-01-05", "breaks")
    assert c.verdict("2010-02-01")[0] == "broken"


def test_a_partial_breach_comes_before_the_balance_of_conduct(case):
    c = case("2008-09-12")
    c.event("2009-02-04", "partly-breaks")
    c.event("2009-03-01", "contradicts", severity=5)
    c.event("2009-03-15", "obstructs")
    assert c.verdict("2009-05-01") == ("compromise", "an event breaks a part of the pledge")


def test_a_partial_breach_comes_after_a_missed_target_and_the_due_date(case):
    c = case("2008-09-12", deadline="2009-12-31")
    c.event("2009-02-04", "partly-breaks")
    c.event("2009-04-01", "misses")
    assert c.verdict("2009-05-01")[0] == "broken"  # the latest evidence shows the target missed
    c.event("2009-06-01", "advances")
    assert c.verdict("2009-07-01")[0] == "compromise"  # no longer the latest: the partial breach decides
    assert c.verdict("2010-01-01") == ("broken", "the deadline, 2009-12-31, passed without the pledge being fulfilled")


def test_a_partial_breach_keeps_work_after_a_partial_delivery_from_reading_in_progress(case):
    c = case("2017-01-10", deadline="2020-12-31")
    c.event("2018-03-01", "partly-fulfills")
    c.event("2018-09-01", "advances")
    assert c.verdict("2019-01-01")[0] == "in-progress"
    c.event("2018-10-01", "partly-breaks")
    assert c.verdict("2019-01-01") == ("compromise", "an event fulfils the pledge in part")


def test_a_partial_breach_before_the_pledge_is_context_only(case):
    c = case("2008-09-12")
    c.event("2008-01-04", "partly-breaks")
    assert c.verdict("2008-10-01")[0] == "not-rated"
