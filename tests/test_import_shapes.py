"""`tracker import` on files as people have them: each fixture in tests/data is one real-world shape.

Each test asserts the exact records written (every field of every new file) and that nothing else in the
records directory changed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tomli
from helpers import REPO, ctrl_c_reaches_it, shell_env, snapshot

DATA = Path(__file__).parent / "data"


def written(records: Path, before: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """The files that are new since `before` (nothing may have changed or gone), parsed."""
    after = snapshot(records)
    assert {name: after[name] for name in before} == before, "a file that was there changed"
    return {name: tomli.loads(after[name].decode()) for name in sorted(after.keys() - before.keys())}


def acled_event(ident: str, source_id: str, date: Any, title: str, kind: str, location: str,
                actors: list[str], notes: str, killed: int = 0) -> dict[str, Any]:
    return {"id": ident, "source_id": source_id, "country": "KZ", "date": date, "title": title, "kind": kind,
            "location": location, "actors": actors, "notes": notes, "counts": {"killed": killed}}


def test_an_excel_saved_acled_file(tracker, records):
    before = snapshot(records)
    result = tracker("import", "events", str(DATA / "acled-excel.csv"), "--preset", "acled")
    assert result.stderr == "3 created, 0 updated, 0 skipped, 0 refused\n"
    protesters, police = "Protesters (Kazakhstan)", "Police Forces of Kazakhstan (2019-)"
    assert written(records, before) == {
        "kz/events/2024/08/kz-2024-08-05-peaceful-protest-in-almaty.toml": acled_event(
            "kz-2024-08-05-peaceful-protest-in-almaty", "KAZ2001", dt.date(2024, 8, 5), "Peaceful protest in Almaty",
            "peaceful-protest", "Almaty", [protesters, "Journalists (Kazakhstan)"],
            "On 5 August 2024, about 30 people protested a new media law in Almaty.\n\nACLED sources: Vlast.kz"),
        # time_precision 2: the day ACLED coded.
        "kz/events/2024/08/kz-2024-08-12-protest-with-intervention-in.toml": acled_event(
            "kz-2024-08-12-protest-with-intervention-in", "KAZ2002", dt.date(2024, 8, 12),
            "Protest with intervention in Astana", "protest-with-intervention", "Astana", [protesters, police],
            "Around 12 August 2024 (week of), police detained 4 protesters in Astana.\n\n"
            "ACLED sources: Radio Free Europe"),
        # time_precision 3: the month only.
        "kz/events/2024/09/kz-2024-09-peaceful-protest-in-zhanaozen.toml": acled_event(
            "kz-2024-09-peaceful-protest-in-zhanaozen", "KAZ2003", "2024-09",
            "Peaceful protest in Zhanaozen, Mangystau",
            "peaceful-protest", "Zhanaozen, Mangystau", [protesters],
            "In September 2024, oil workers protested in Zhanaozen.\n\nACLED sources: Local monitor"),
    }
    again = snapshot(records)
    assert tracker("import", "events", str(DATA / "acled-excel.csv"), "--preset", "acled").stderr == \
        "0 created, 0 updated, 3 skipped, 0 refused\n"
    assert snapshot(records) == again


def test_acled_rows_for_each_side_of_one_event_merge_into_one(tracker, records):
    before = snapshot(records)
    result = tracker("import", "events", str(DATA / "acled-dyadic.csv"), "--preset", "acled", code=1)
    assert result.stderr.splitlines() == [
        f"{DATA / 'acled-dyadic.csv'}: row 4: refused: source_id 'KAZ3002' repeats row 3",
        "2 created, 0 updated, 1 skipped, 1 refused (1 merged into an earlier row's event)"]
    police, protesters = "Police Forces of Kazakhstan (2019-)", "Protesters (Kazakhstan)"
    assert written(records, before) == {
        "kz/events/2024/08/kz-2024-08-20-excessive-force-against.toml": acled_event(
            "kz-2024-08-20-excessive-force-against", "KAZ3001", dt.date(2024, 8, 20),
            "Excessive force against protesters in Almaty", "excessive-force-against-protesters", "Almaty",
            [police, protesters, "Labour Group (Kazakhstan)"],
            "On 20 August 2024, police beat protesters in Almaty.\n\nACLED sources: Reuters", killed=1),
        "kz/events/2024/08/kz-2024-08-21-peaceful-protest-in-astana.toml": acled_event(
            "kz-2024-08-21-peaceful-protest-in-astana", "KAZ3002", dt.date(2024, 8, 21), "Peaceful protest in Astana",
            "peaceful-protest", "Astana", [protesters], "A picket in Astana.\n\nACLED sources: Vlast.kz"),
    }
    shown = tracker("show", "kz-2024-08-20-excessive-force-against").stdout
    assert "Labour Group (Kazakhstan)" in shown
    tracker("export", "out")
    exported = {e["id"]: e for e in json.loads(Path("out/events.json").read_text())}
    assert exported["kz-2024-08-20-excessive-force-against"]["actors"] == [police, protesters,
                                                                           "Labour Group (Kazakhstan)"]
    tracker("site", "site")
    page = Path("site/events/kz-2024-08-20-excessive-force-against.html").read_text(encoding="utf-8")
    assert '<dt>Actors</dt><dd><ul class="actors"><li>Police Forces of Kazakhstan (2019-)</li>' \
           "<li>Protesters (Kazakhstan)</li><li>Labour Group (Kazakhstan)</li></ul></dd>" in page


def test_an_acled_file_saved_with_semicolons_is_one_line(tracker, records):
    before = snapshot(records)
    result = tracker("import", "events", str(DATA / "acled-semicolon.csv"), "--preset", "acled", code=1)
    assert result.stderr == (
        f"error: {DATA / 'acled-semicolon.csv'}: is not an ACLED export: it has no event_id_cnty, event_date, "
        "time_precision, country column; its columns: event_id_cnty;event_date;year;time_precision;disorder_type;"
        "event_type; it looks saved with ';' between columns: save it as CSV with commas\n")
    assert snapshot(records) == before


PROMISES_FROM_EUROPE = {
    "fr/promises/fr-2022-04-07-reformer-la-procedure-penale.toml": {
        "id": "fr-2022-04-07-reformer-la-procedure-penale", "source_id": "Réformer la procédure pénale",
        "country": "FR", "official": "Emmanuel Macron", "title": "Réformer la procédure pénale",
        "statements": [{"date": dt.date(2022, 4, 7), "sources": ["https://example.org/fr/penal"]}]},
    "de/promises/de-2021-12-07-einburgerung-erleichtern-fur-alle.toml": {
        "id": "de-2021-12-07-einburgerung-erleichtern-fur-alle", "source_id": "Einbürgerung erleichtern – für alle",
        "country": "DE", "official": "Olaf Scholz", "title": "Einbürgerung erleichtern – für alle",
        "statements": [{"date": dt.date(2021, 12, 7)}]},
}


def test_a_mac_roman_csv_is_named_by_row_and_byte_then_read_with_its_encoding(tracker, records):
    before = snapshot(records)
    file = DATA / "promises-macroman.csv"
    result = tracker("import", "promises", str(file), "--field", "sources=source", code=1)
    assert result.stderr == (f"error: {file}:2: row 1 (line 2) is not UTF-8: byte 0x8e at offset 55; name the "
                             "file's encoding with --encoding, such as cp1252, mac_roman or latin-1\n")
    assert snapshot(records) == before
    result = tracker("import", "promises", str(file), "--field", "sources=source", "--encoding", "mac_roman")
    assert result.stderr.splitlines() == [
        f"{file}: row 2: sources: 'not a web address' is not an http or https address; it was left out",
        "2 created, 0 updated, 0 skipped, 0 refused"]
    assert written(records, before) == PROMISES_FROM_EUROPE
    assert "not an encoding Python knows" in tracker("import", "promises", str(file), "--encoding", "klingon",
                                                      code=2).stderr


def test_a_utf16_csv_is_read_by_its_byte_order_mark(tracker, records):
    before = snapshot(records)
    tracker("import", "promises", str(DATA / "promises-utf16.csv"), "--field", "sources=source")
    assert written(records, before) == PROMISES_FROM_EUROPE


def test_utf16_without_a_byte_order_mark_is_named_and_read_with_its_encoding(tracker, records, tmp_path):
    file = tmp_path / "promises-utf16le.csv"
    file.write_bytes((DATA / "promises-utf16.csv").read_bytes()[2:])  # the same bytes less the mark
    before = snapshot(records)
    assert tracker("import", "promises", str(file), code=1).stderr == (
        f"error: {file}: has zero bytes (at offset 1), as UTF-16 text without a byte-order mark does; name its "
        "encoding with --encoding utf-16-le or utf-16-be\n")
    assert snapshot(records) == before
    tracker("import", "promises", str(file), "--field", "sources=source", "--encoding", "utf-16-le")
    assert written(records, before) == PROMISES_FROM_EUROPE


def test_un_country_names(tracker, records):
    before = snapshot(records)
    file = DATA / "promises-un-countries.csv"
    result = tracker("import", "promises", str(file), code=1)
    assert result.stderr.splitlines() == [
        f"{file}: row 6: refused: 'Neverland' is not an ISO 3166-1 alpha-2 country code (such as KZ or US)",
        "5 created, 0 updated, 0 skipped, 1 refused"]
    got = written(records, before)
    assert {name: (p["country"], p["statements"][0]["date"]) for name, p in got.items()} == {
        "gb/promises/gb-2024-07-05-repeal-the-rwanda-removal-law.toml": ("GB", dt.date(2024, 7, 5)),
        "cz/promises/cz-2021-12-17-ratify-the-istanbul-convention.toml": ("CZ", dt.date(2021, 12, 17)),
        "kr/promises/kr-2022-05-10-abolish-the-gender-equality.toml": ("KR", dt.date(2022, 5, 10)),
        "cv/promises/cv-2021-11-09-guarantee-press-freedom.toml": ("CV", dt.date(2021, 11, 9)),
        "ir/promises/ir-2024-07-28-lift-internet-filtering.toml": ("IR", dt.date(2024, 7, 28)),
    }
    assert got["kr/promises/kr-2022-05-10-abolish-the-gender-equality.toml"] == {
        "id": "kr-2022-05-10-abolish-the-gender-equality", "source_id": "Abolish the gender equality ministry",
        "country": "KR", "official": "Yoon Suk Yeol", "title": "Abolish the gender equality ministry",
        "statements": [{"date": dt.date(2022, 5, 10)}]}


def test_the_country_option_takes_names_and_codes_and_suggests_gb_for_uk(tracker, records):
    tracker("import", "promises", str(DATA / "promises-un-countries.csv"), code=1)
    for given in ("GB", "gb", "GBR", "826", "United Kingdom", "Great Britain"):
        assert tracker("list", "--country", given, "--format", "csv").stdout.count("gb-2024") == 1, given
    assert "did you mean GB?" in tracker("list", "--country", "UK", code=2).stderr
    assert tracker("list", "--country", "USA", "--format", "csv").stdout.count("\n") == 1  # a header, no rows


def test_titles_in_other_scripts_give_readable_ids(tracker, records):
    before = snapshot(records)
    result = tracker("import", "events", str(DATA / "events-scripts.csv"), "--key", "ref")
    assert result.stdout.split() == ["th-2024-08-07-salraththrrmnuyyubphrrkhkawaikl",
                                     "ru-2024-03-01-zaderzhaniya-na-pokhoronakh-naval",
                                     "eg-2024-03-08-tql-mtdhhryn-fy-lqhrh",
                                     "cn-2024-06-04-bei-jing-tian-an-men-guang-chang",
                                     "no-2024-08-05-597d9776"]  # no letters in any script: a hash of the title
    got = written(records, before)
    assert got["ru/events/2024/03/ru-2024-03-01-zaderzhaniya-na-pokhoronakh-naval.toml"] == {
        "id": "ru-2024-03-01-zaderzhaniya-na-pokhoronakh-naval", "source_id": "ru-1", "country": "RU",
        "date": dt.date(2024, 3, 1), "title": "Задержания на похоронах Навального"}
    assert len(got) == 5


NESTED = ["--path", "data.countries.0.pledges", "--key", "ref", "--field", "title=text.short",
          "--field", "text=text.long", "--field", "official=person.name", "--field", "date=timelines.0.from",
          "--field", "topics=tags.label", "--field", "sources=links.url", "--set", "country=BY",
          "--status-field", "status", "--status", "Pending=not-rated", "--status", "Done=kept"]


def test_nested_json_with_lists(tracker, records):
    before = snapshot(records)
    file = DATA / "pledges-nested.json"
    result = tracker("import", "promises", str(file), *NESTED, "--rating-date", "2021-01-01")
    assert result.stderr.splitlines() == [
        f"{file}: row 1: title: a line break was folded to a space",
        f"{file}: row 1: sources: 'javascript:alert(1)' is not an http or https address; it was left out",
        "2 created, 0 updated, 0 skipped, 0 refused"]
    rating = {"date": dt.date(2021, 1, 1), "rationale": "Imported: the status was '{}' in pledges-nested.json."}
    assert written(records, before) == {
        "by/promises/by-2020-08-09-free-all-political-prisoners.toml": {
            "id": "by-2020-08-09-free-all-political-prisoners", "source_id": "by-17", "country": "BY",
            "official": "Sviatlana Tsikhanouskaya", "title": "Free all political prisoners",
            "text": "Release everyone held for political reasons.", "topics": ["prisoners", "justice"],
            "statements": [{"date": dt.date(2020, 8, 9), "sources": ["https://example.org/by/prisoners"]}]},
        "by/promises/by-2020-08-09-free-all-political-prisoners/ratings/2021-01-01-not-rated-92c2a4c0.toml":
            rating | {"verdict": "not-rated", "rationale": rating["rationale"].format("Pending")},
        "by/promises/by-2020-08-14-hold-a-new-presidential-election.toml": {
            "id": "by-2020-08-14-hold-a-new-presidential-election", "source_id": "by-18", "country": "BY",
            "official": "Sviatlana Tsikhanouskaya", "title": "Hold a new presidential election",
            "topics": ["elections"], "statements": [{"date": dt.date(2020, 8, 14)}]},
        "by/promises/by-2020-08-14-hold-a-new-presidential-election/ratings/2021-01-01-kept-fa51b592.toml":
            rating | {"verdict": "kept", "rationale": rating["rationale"].format("Done")},
    }


def test_strict_refuses_a_value_that_would_have_to_change(tracker, records):
    before = snapshot(records)
    file = DATA / "pledges-nested.json"
    result = tracker("import", "promises", str(file), *NESTED, "--rating-date", "2021-01-01", "--strict", code=1)
    assert result.stderr.splitlines() == [
        f"{file}: row 1: refused: title: a line break would be folded to a space; sources: 'javascript:alert(1)' "
        "is not an http or https address; it would be left out (strict: nothing is changed to fit)",
        "would create 1, update 0, skip 0, refuse 1; nothing was written (--strict, and rows were refused)"]
    assert snapshot(records) == before


def test_a_rating_dated_before_the_promise_was_made_is_refused(tracker, records):
    before = snapshot(records)
    file = DATA / "pledges-nested.json"
    result = tracker("import", "promises", str(file), *NESTED, "--rating-date", "2020-08-10", code=1)
    assert result.stderr.splitlines() == [
        f"{file}: row 1: title: a line break was folded to a space",
        f"{file}: row 1: sources: 'javascript:alert(1)' is not an http or https address; it was left out",
        f"{file}: row 2: refused: the rating date 2020-08-10 is before the promise was made (2020-08-14); "
        "no rating was attached",
        "1 created, 0 updated, 0 skipped, 1 refused"]
    assert list(written(records, before)) == [
        "by/promises/by-2020-08-09-free-all-political-prisoners.toml",
        "by/promises/by-2020-08-09-free-all-political-prisoners/ratings/2020-08-10-not-rated-62f5d179.toml"]
    made = snapshot(records)
    result = tracker("import", "promises", str(file), *NESTED, "--rating-date", "2019-12-31", code=1)
    assert "row 1: refused: the rating date 2019-12-31 is before the promise was made (2020-08-09)" in result.stderr
    assert snapshot(records) == made


PLEDGES = ["--field", "title=title", "--field", "official=official", "--field", "date=made",
           "--status-field", "status", "--status", "Kept=kept", "--status", "Broken=broken"]
DATED = [*PLEDGES, "--rating-date", "2020-12-31"]


def test_the_same_text_in_two_countries_stays_two_promises(tracker, records):
    """Before matching was scoped to a country, the second file rated the first country's promise."""
    tracker("import", "promises", str(DATA / "pledges-kz.csv"), "--set", "country=KZ", *DATED)
    before = snapshot(records)
    result = tracker("import", "promises", str(DATA / "pledges-uz.csv"), "--set", "country=Uzbekistan", *DATED)
    assert result.stderr == "1 created, 0 updated, 0 skipped, 0 refused\n"
    assert written(records, before) == {
        "uz/promises/uz-2019-06-12-release-all-political-prisoners.toml": {
            "id": "uz-2019-06-12-release-all-political-prisoners", "source_id": "Release all political prisoners",
            "country": "UZ", "official": "Shavkat Mirziyoyev", "title": "Release all political prisoners",
            "statements": [{"date": dt.date(2019, 6, 12)}]},
        "uz/promises/uz-2019-06-12-release-all-political-prisoners/ratings/2020-12-31-kept-0fcaf70c.toml": {
            "date": dt.date(2020, 12, 31), "verdict": "kept",
            "rationale": "Imported: the status was 'Kept' in pledges-uz.csv."}}


def test_a_rating_for_a_promise_the_row_did_not_create_needs_the_key_named(tracker, records):
    tracker("import", "promises", str(DATA / "pledges-kz.csv"), "--set", "country=KZ", *DATED)
    other = Path("other.csv")  # the same title, said by someone else, in the same country
    other.write_text("title,official,made,status\nRelease all political prisoners,Karim Massimov,2019-06-12,Kept\n",
                     encoding="utf-8")
    before = snapshot(records)
    result = tracker("import", "promises", str(other), "--set", "country=KZ", *PLEDGES, "--rating-date", "2021-12-31",
                     code=1)
    assert result.stderr.splitlines() == [
        "other.csv: row 1: refused: matches kz-2019-06-12-release-all-political-prisoners by 'Release all "
        "political prisoners' only, but that promise was not made from this row (official 'Karim Massimov'); no "
        "rating was attached (name the match with --key if they are the same promise)",
        "0 created, 0 updated, 0 skipped, 1 refused"]
    assert snapshot(records) == before
    result = tracker("import", "promises", str(other), "--set", "country=KZ", *PLEDGES, "--rating-date", "2021-12-31",
                     "--key", "title")
    assert result.stdout == "kz-2019-06-12-release-all-political-prisoners\n"


def test_dates_people_write_and_a_date_format_for_the_ambiguous_ones(tracker, records):
    Path("events.csv").write_text("ref,title,date,country,kind\na,One,2019-6-9,KZ,Riot\nb,Two,05 August 2024,KZ,"
                                  "Protest\nc,Three,21/09/2019,KZ,Riot\n", encoding="utf-8")
    args = ["import", "events", "events.csv", "--key", "ref",
            "--map", "kind:Riot=riot", "--map", "kind:Protest=protest"]
    result = tracker(*args, "--dry-run", code=1)
    assert "row 3: refused: date: '21/09/2019'" in result.stderr
    assert tracker(*args, "--dry-run", "--date-format", "%d/%m/%Y").stderr.endswith(
        "would create 3, update 0, skip 0, refuse 0; nothing was written (dry run)\n")
    before = snapshot(records)
    tracker(*args, "--date-format", "%d/%m/%Y")
    assert {name: (e["date"], e["kind"]) for name, e in written(records, before).items()} == {
        "kz/events/2019/06/kz-2019-06-09-one.toml": (dt.date(2019, 6, 9), "riot"),
        "kz/events/2024/08/kz-2024-08-05-two.toml": (dt.date(2024, 8, 5), "protest"),
        "kz/events/2019/09/kz-2019-09-21-three.toml": (dt.date(2019, 9, 21), "riot")}


def test_a_separator_for_list_fields(tracker, records):
    Path("p.csv").write_text("title,official,date,topics\nFree speech,A. Person,2020,press|speech\n", encoding="utf-8")
    before = snapshot(records)
    tracker("import", "promises", "p.csv", "--set", "country=KZ", "--separator", "|")
    (promise,) = written(records, before).values()
    assert promise["topics"] == ["press", "speech"]


def big_events(path: Path, rows: int) -> None:
    lines = ["ref,title,date,notes"] + [f"r{n},Event {n},2019-05-01,{'x' * (3000 if n >= 5 else 10)}"
                                        for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_write_that_fails_midway_lists_what_was_written(records, tmp_path):
    """A file-size limit makes the sixth file's write fail, as a full disk does."""
    big_events(Path("events.csv"), 8)

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    before = snapshot(records)
    done = subprocess.run([sys.executable, "-c", "from cli import main; main()", "--no-cache", "import", "events",
                           "events.csv", "--key", "ref", "--set", "country=KZ"],
                          capture_output=True, text=True, preexec_fn=limit,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    ids = [f"kz-2019-05-01-event-{n}" for n in range(5)]
    assert done.stderr.splitlines()[-2] == (f"events.csv: stopped at row 6: file too large; 5 record(s) written "
                                            f"before it: {', '.join(ids)}; the rows after it were not imported")
    assert sorted(written(records, before)) == sorted(f"kz/events/2019/05/{i}.toml" for i in ids)


def test_ctrl_c_lists_what_was_written_and_exits_130(records):
    rows = 30_000  # far more than are written in the moment before the interrupt
    Path("events.csv").write_text("ref,title,date\n" + "".join(f"r{n},Event {n},2019-05-01\n" for n in range(rows)),
                                  encoding="utf-8")
    main, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "import", "events",
                                "events.csv", "--key", "ref", "--set", "country=KZ"],
                               stdout=subprocess.DEVNULL,  # a pipe nobody reads would stop the import once full
                               stderr=secondary, preexec_fn=ctrl_c_reaches_it,
                               env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "1000"})
    os.close(secondary)
    seen = b""
    folder = records / "kz" / "events" / "2019" / "05"
    started = time.monotonic() + 120
    while b"Importing" not in seen or not any(folder.glob("*.toml")):  # the progress bar, and files written
        assert time.monotonic() < started, seen.decode(errors="replace")
        seen += os.read(main, 65536)
    process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        try:
            seen += os.read(main, 65536)
        except OSError:
            break
    os.close(main)
    assert process.wait() == 130
    text = seen.decode(errors="replace")
    assert "Traceback" not in text
    assert "events.csv: interrupted; " in text and "record(s) written before it: kz-2019-05-01-event-0" in text
    assert len(list(folder.glob("*.toml"))) < rows


def test_the_docs_examples_of_each_shape_run_from_a_clone_as_written(isolated):
    records = isolated / "world-records"
    env = shell_env(isolated, TRACKER_RECORDS=str(records))
    text = (REPO / "docs/import-export.md").read_text(encoding="utf-8")
    section = text[text.index("## Importing files as people have them\n"):]
    section = section[:section.index("\n## ", 1)]
    scripts, shown = re.findall(r"```sh\n(.*?)```", section, re.S), re.findall(r"```text\n(.*?)```", section, re.S)
    assert len(scripts) == len(shown) == 6
    for script, expected in zip(scripts, shown, strict=True):
        done = subprocess.run(["bash", "-e", "-c", script.replace("/tmp/", f"{isolated}/")], cwd=REPO, env=env,
                              capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        assert done.stderr.replace(f"{isolated}/", "/tmp/") == expected
    assert "Labour Group (Kazakhstan)" in subprocess.run(
        ["tracker", "show", "kz-2024-08-20-excessive-force-against"], cwd=REPO, env=env, capture_output=True,
        text=True, check=True).stdout


@pytest.mark.parametrize("name, content, code, said", [
    ("e.csv", "title,country,date,killed\nA,KZ,2019-01-01,99999999999999999999999\n", 1,
     "e.csv: row 1: refused: killed: 99999999999999999999999 is too large for a whole number"),
    ("e.csv", "title,country,date,killed\nA,KZ,2019-01-01," + "9" * 5000 + "\n", 1,
     "e.csv: row 1: refused: killed: " + "9" * 30 + "… is too large for a whole number"),
    ("e.csv", "title,country,date,notes\nA,KZ,2019-01-01," + "x" * 1_100_000 + "\n", 1,
     "error: e.csv:2: row 1 cannot be read: field larger than field limit (1048576)"),
    ("e.json", '[{"title": "A", "country": "KZ", "date": "2019-01-01", "killed": ' + "9" * 5000 + "}]", 1,
     "error: e.json: holds a value too large to read: Exceeds the limit (4300 digits) for integer string "
     "conversion"),
    ("e.json", '[{"title": "A", "country": "KZ", "date": "2019-01-01", "notes": "' + "x" * 1_100_000 + '"}]', 1,
     "e.json: row 1: refused: the record would be 1,100,"),
    ("e.csv", "title,country,date,severity\nA,KZ,99999-01-01,1\n", 1,
     "e.csv: row 1: refused: date: '99999-01-01' is not a date"),
])
def test_an_oversized_value_is_one_line(tracker, records, name, content, code, said):
    Path(name).write_text(content, encoding="utf-8")
    before = snapshot(records)
    result = tracker("import", "events", name, code=code)
    assert result.stderr.startswith(said)
    assert len(result.stderr.splitlines()) <= 2
    assert snapshot(records) == before


def test_json_output_lists_each_rows_changes(tracker, records):
    result = tracker("import", "promises", str(DATA / "pledges-nested.json"), *NESTED, "--rating-date",
                     "2021-01-01", "--format", "json")
    rows = json.loads(result.stdout)["rows"]
    assert [(row["row"], row["action"], row["changes"]) for row in rows] == [
        (1, "created", ["title: a line break was folded to a space",
                        "sources: 'javascript:alert(1)' is not an http or https address; it was left out"]),
        (2, "created", [])]
