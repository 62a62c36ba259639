"""Partial dates at the edges of their periods, and as-of filtering."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os

import pytest

from tracker.dates import DateError, PartialDate, month_length, parse_date


@pytest.mark.parametrize("text, first, last", [
    ("2019", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    ("2019-06", dt.date(2019, 6, 1), dt.date(2019, 6, 30)),
    ("2020-02", dt.date(2020, 2, 1), dt.date(2020, 2, 29)),  # leap year
    ("2019-02", dt.date(2019, 2, 1), dt.date(2019, 2, 28)),
    ("2019-09-21", dt.date(2019, 9, 21), dt.date(2019, 9, 21)),
])
def test_partial_dates_span_their_period(text, first, last):
    date = parse_date(text)
    assert (date.first, date.last, str(date)) == (first, last, text)


@pytest.mark.parametrize("text, why", [
    ("2019-02-30", "2019-02 has 28 days"),
    ("2019-02-29", "2019-02 has 28 days"),
    ("2019-13", "no month 13"),
    ("2019-00-10", "no month 0"),
    ("21 September 2019", "is not a date"),
    ("2019/09/21", "is not a date"),
    ("19-09-21", "is not a date"),
])
def test_impossible_dates_are_refused(text, why):
    with pytest.raises(DateError, match=why):
        parse_date(text)


def test_toml_dates_and_date_times():
    assert parse_date(dt.date(2019, 9, 21)) == PartialDate(2019, 9, 21)
    with pytest.raises(DateError, match="has a time"):
        parse_date(dt.datetime(2019, 9, 21, 10, 0))


def test_partial_dates_sort_by_first_day():
    dates = [parse_date(t) for t in ("2019-09-02", "2019-09", "2019", "2019-08-31")]
    assert [str(d) for d in sorted(dates, key=PartialDate.sort_key)] == ["2019", "2019-08-31", "2019-09",
                                                                         "2019-09-02"]


@pytest.mark.parametrize("as_of, counted", [("2019-09-29", False), ("2019-09-30", True)])
def test_a_month_counts_from_its_last_day(tracker, kz, as_of, counted):
    promise = json.loads(tracker("report", "--as-of", as_of, "--format", "json").stdout)["promises"][0]
    events = {e["event"] for e in promise["evidence"]}
    assert ("kz-2019-09-activists-custody-fines" in events) is counted
    assert "kz-2019-09-21-dvk-rally" in events


@pytest.mark.parametrize("as_of, present", [("2019-06-29", False), ("2019-06-30", True)])
def test_a_pledge_made_in_a_month_is_reported_from_its_last_day(tracker, kz, as_of, present):
    data = json.loads(tracker("report", "--as-of", as_of, "--format", "json").stdout)
    assert bool(data["promises"]) is present


def test_as_of_a_year_boundary(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Year", "--date", "2019", "--id", "y")
    def report(as_of):
        return json.loads(tracker("report", "--as-of", as_of, "--format", "json").stdout)["promises"]

    assert report("2019-12-30") == [] and report("2019-12-31")[0]["id"] == "y"


@pytest.mark.parametrize("given, day", [("2019-09", "2019-09-30"), ("2019", "2019-12-31"), ("2020-02", "2020-02-29")])
def test_as_of_a_year_or_month_means_its_last_day(tracker, kz, given, day):
    """As everywhere in the method, a partial date stands for its last day."""
    def report(as_of):
        return json.loads(tracker("report", "--as-of", as_of, "--format", "json").stdout)

    assert report(given) == report(day) and report(given)["as_of"] == day
    assert '"as_of": "2019-09-30"' in tracker("history", "kz-assembly-law", "--as-of", "2019-09", "--format",
                                              "json").stdout or given != "2019-09"


def test_as_of_must_be_a_date(tracker, kz):
    result = tracker("report", "--as-of", "2019-13", code=2)
    assert "no month 13" in result.stderr


def test_partial_dates_are_written_quoted_and_full_ones_bare(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "X", "--date", "2019-06",
            "--deadline", "2020-01-31", "--id", "x")
    text = (records / "kz/promises/x.toml").read_text()
    assert 'deadline = 2020-01-31\n' in text and 'date = "2019-06"\n' in text


def test_check_warns_about_dates_not_yet_counted(tracker, kz):
    err = tracker("check", "--as-of", "2019-09-10").stderr
    assert "kz-2019-09-activists-custody-fines.toml:4: warning: date: 2019-09 ends after 2019-09-10; it is not " \
           "counted until 2019-09-30" in err
    assert "kz-2019-09-21-dvk-rally.toml:4: warning:" in err
    assert "0 errors, 3 warnings" in err  # the three September events; the restatement of 2019-09-02 counts


# ---------------------------------------------------------------------------
# The edges of each rule, one case per side (these kill the mutants benchmarks/mutation.py makes).

@pytest.mark.parametrize("text, error", [
    ("1000", None), ("0999", "'0999' has an implausible year; write four digits, as 2019"),
    ("2019-06-01", None), ("2019-06-30", None),
    ("2019-06-00", "'2019-06-00' does not exist: 2019-06 has 30 days"),
    ("2019-06-31", "'2019-06-31' does not exist: 2019-06 has 30 days"),
])
def test_each_rule_at_its_edge(text, error):
    if error is None:
        assert str(parse_date(text)) == text
    else:
        with pytest.raises(DateError) as raised:
            parse_date(text)
        assert str(raised.value) == error


def test_a_date_seen_for_the_first_time_is_read_and_shared():
    # Any day will do; one drawn at random is almost surely new to the shared table of this process.
    number = int.from_bytes(os.urandom(4), "big")
    year, month, day = 1000 + number % 9000, 1 + number // 9000 % 12, 1 + number // 108_000 % 28
    first = parse_date(f"{year:04d}-{month:02d}-{day:02d}")
    assert first == PartialDate(year, month, day) and isinstance(first, PartialDate)
    assert parse_date(dt.date(year, month, day)) is first


@pytest.mark.parametrize("value, why", [(5, "got a number"), ([], "got a list"), (None, "got NoneType")])
def test_a_value_that_is_no_date_is_named(value, why):
    with pytest.raises(DateError) as raised:
        parse_date(value)
    assert str(raised.value) == f"expected a date (YYYY, YYYY-MM or YYYY-MM-DD), {why}"


@pytest.mark.parametrize("value, name", [
    ("x", "a string"), (1, "a number"), (1.5, "a number"), (True, "true/false"), ([], "a list"), ({}, "a table"),
    (dt.date(2019, 1, 1), "a date"), (dt.datetime(2019, 1, 1, 12), "a date-time"), (None, "NoneType"),
    (set(), "set"),
])
def test_a_value_of_each_type_is_named_in_messages(value, name):
    from tracker.dates import type_name

    assert type_name(value) == name


def test_a_list_puts_a_year_before_a_month_before_a_day_that_they_start_on(tracker, records):
    """Each sorts at its first day; on one day, the coarser date first, whatever the IDs."""
    for ident, date in (("kz-a", "2019-01-01"), ("kz-b", "2019-01"), ("kz-c", "2019"), ("kz-d", "2018-12-31")):
        tracker("add-event", "--country", "KZ", "--date", date, "--title", "Rally", "--id", ident)
    listed = json.loads(tracker("list", "events", "--format", "json").stdout)
    assert [(e["id"], e["date"]) for e in listed] == [("kz-d", "2018-12-31"), ("kz-c", "2019"), ("kz-b", "2019-01"),
                                                       ("kz-a", "2019-01-01")]


def test_a_month_has_the_days_the_calendar_gives_it():
    years = [*range(1000, 1005), *range(1896, 2105), 2400, 9996, 9999]  # leap years of every rule
    assert [month_length(y, m) for y in years for m in range(1, 13)] == \
        [calendar.monthrange(y, m)[1] for y in years for m in range(1, 13)]
