"""`tracker site` and `tracker show --chart`: the files, their content, their safety and their stability."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import REPO, SHIPPED, run_tracker, snapshot
from markupsafe import Markup, escape
from sitecheck import HOSTILE_EVENT, HOSTILE_OFFICIAL, HOSTILE_QUOTE, HOSTILE_TITLE, Page, check_links, make_records
from test_readme import shell_block_after

from benchmarks.generate import generate
from tracker.changes import assess_days, checkpoints
from tracker.dates import PartialDate
from tracker.score import RULES, assess, links_by_promise, terms_of
from tracker.site import _text, environment, sources_html, verdict_html
from tracker.validate import load_records

AS_OF = "2019-09-30"
ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def site(tracker, kz) -> Path:
    """The shipped records plus make_records', published as of AS_OF at ./site."""
    make_records(tracker)
    tracker("site", "site", "--as-of", AS_OF)
    return Path("site").resolve()


def pages(site: Path) -> dict[Path, Page]:
    return {path: Page(path) for path in sorted(site.rglob("*.html"))}


def rows(page: Page, table_id: str) -> int:
    """How many body rows the table with this id has."""
    html = page.path.read_text(encoding="utf-8")
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return table.split("<tbody>", 1)[1].count("<tr")


def test_shipped_site_has_every_page(tracker, kz):
    result = tracker("site", "out", "--as-of", AS_OF)
    names = sorted(str(p.relative_to("out")) for p in Path("out").rglob("*") if p.is_file())
    events = sorted(f"events/{p.stem}.html" for p in (kz / "kz" / "events").rglob("*.toml"))
    assert names == sorted([".nojekyll", ".tracker-site", "data.json", "feed.xml", "index.html", "methodology.html",
                            "promises/kz-assembly-law.html", *events])
    assert "Wrote 8 pages" in result.stderr
    index = Page(Path("out/index.html"))
    assert rows(index, "promises") == 1
    promise = Path("out/promises/kz-assembly-law.html").read_text(encoding="utf-8")
    assert '<strong id="score">17</strong>' in promise
    assert "because the evidence against (10) outweighs the support (2)" in promise


def test_data_json_is_the_report(tracker, site):
    report = tracker("report", "--as-of", AS_OF, "--format", "json").stdout
    assert (site / "data.json").read_text(encoding="utf-8") == report
    tracker("site", "kz-only", "--as-of", AS_OF, "--country", "KZ")
    report = tracker("report", "--as-of", AS_OF, "--country", "KZ", "--format", "json").stdout
    assert Path("kz-only/data.json").read_text(encoding="utf-8") == report
    assert not Path("kz-only/promises/us-budget.html").exists()


def test_tally_table_matches_the_report(tracker, site):
    summary = json.loads(tracker("report", "--as-of", AS_OF, "--format", "json").stdout)["summary"]
    html = (site / "index.html").read_text(encoding="utf-8")
    for verdict, count in summary.items():  # a verdict no promise has gets no row: not a tally of zeros
        assert (f'<tr data-verdict="{verdict}"><td><span class="verdict verdict-{verdict}">{verdict}</span></td>'
                f'<td class="num">{count}</td></tr>' in html) is (count > 0)
    assert summary == {"kept": 1, "compromise": 0, "broken": 1, "contradicted": 1, "in-progress": 1,
                       "stalled": 0, "not-rated": 0}


def test_same_records_same_bytes(tracker, site):
    tracker("site", "again", "--as-of", AS_OF)
    assert snapshot(Path("again")) == snapshot(site)
    process = run_tracker("site", "third", "--as-of", AS_OF, cwd=Path.cwd())
    assert process.returncode == 0, process.stderr
    assert snapshot(Path("third")) == snapshot(site)


def test_every_page_parses_and_its_links_resolve(site):
    parsed = pages(site)
    assert len(parsed) == 1 + 1 + 4 + 7  # index, methodology, promises, events
    assert check_links(site, parsed) > 50
    for path, page in parsed.items():
        assert not page.open, f"{path}: unclosed {page.open}"
        for tag, attrs in page.elements:
            assert not [name for name in attrs if name.startswith("on")], f"{path}: <{tag} {attrs}>"
            assert not (tag == "script" and "src" in attrs), f"{path}: a script from elsewhere"
            assert tag not in ("iframe", "img", "object", "embed"), f"{path}: <{tag}>"
            assert not (tag == "link" and attrs.get("rel") == "stylesheet"), f"{path}: a stylesheet from elsewhere"
        scripts = [tag for tag, _ in page.elements if tag == "script"]
        assert len(scripts) == (1 if path.name == "index.html" else 0), path


def test_hostile_text_is_shown_as_text(site):
    index, promise = Page(site / "index.html"), Page(site / "promises/kz-hostile.html")
    event = Page(site / "events/kz-hostile-draft.html")
    assert HOSTILE_TITLE in "".join(index.text)
    for text in (HOSTILE_TITLE, HOSTILE_QUOTE, HOSTILE_OFFICIAL, "<iframe src=javascript:alert(1)>", HOSTILE_EVENT):
        assert text in "".join(promise.text), text
    assert "<script>window.pwned=6</script>" in "".join(event.text)
    raw = (site / "promises/kz-hostile.html").read_text(encoding="utf-8")
    assert "<script>window" not in raw and "<svg onload" not in raw
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in raw
    assert HOSTILE_OFFICIAL.replace('"', "&#34;") in raw


def test_pages_load_nothing_from_the_network(site):
    for path, page in pages(site).items():
        (csp,) = [a["content"] for tag, a in page.elements if tag == "meta" and a.get("http-equiv")]
        assert csp.startswith("default-src 'none'; style-src 'sha256-") and "http" not in csp, path
        html = path.read_text(encoding="utf-8")
        assert "@import" not in html and "url(http" not in html and "//fonts." not in html


def test_promise_page_explains_the_verdict(site):
    page = Page(site / "promises/kz-prisoners.html")
    text = " ".join(" ".join(page.text).split())
    assert "2 × 4 = 8" in text  # severity × the fulfils multiplier
    assert "The computed verdict is kept, because an event fulfils the pledge." in text
    assert "An editorial rating of 2019-08-01 by A. Researcher says kept" in text
    assert "Every listed prisoner was freed" in text
    assert rows(page, "strip-data") == 3  # not-rated, then kept (computed), then kept (editorial)
    html = page.path.read_text(encoding="utf-8")
    strip = html.split('id="strip-data"', 1)[1]
    assert strip.index("2019-06-30") < strip.index("2019-07-10") < strip.index("2019-08-01")


def test_the_index_leads_with_the_promises(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert html.index("<h1>") < html.index('id="promises-heading"') < html.index('id="promises"') \
        < html.index('id="tally-heading"')


def test_the_timeline_marks_the_deadline(site):
    html = (site / "promises/us-budget.html").read_text(encoding="utf-8")
    chart = html.split('<svg', 1)[1].split("</svg>", 1)[0]
    assert '<g class="deadline"><title>Deadline: 2019-03</title>' in chart and ">deadline 2019-03</text>" in chart
    assert "; the deadline is 2019-03." in chart  # in the chart's text alternative too
    assert 'class="deadline"' not in (site / "promises/kz-assembly-law.html").read_text(encoding="utf-8")


def test_deadline_shows_in_the_verdict_over_time(site):
    html = (site / "promises/us-budget.html").read_text(encoding="utf-8")
    strip = html.split('id="strip-data"', 1)[1].split("</table>", 1)[0]
    assert "<tr><td>2019-01-15</td><td>2019-03-31</td><td><span class=\"verdict verdict-not-rated\">" in strip
    assert "<tr><td>2019-04-01</td><td>2019-09-30</td><td><span class=\"verdict verdict-broken\">" in strip
    assert "the deadline, 2019-03, passed without the" in strip


def test_event_page_links_back_to_its_promises(site):
    page = Page(site / "events/kz-release.html")
    assert "../promises/kz-prisoners.html" in page.links()
    assert "All political prisoners released" in page.text


def test_methodology_is_the_configuration(tracker, kz):
    config = kz / "tracker.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("stall_days = 365", "stall_days = 200")
                      .replace("contradicts = 1", "contradicts = 3"), encoding="utf-8")
    tracker("site", "site", "--as-of", AS_OF)
    html = Path("site/methodology.html").read_text(encoding="utf-8")
    assert "no more than 200 (stall_days) days before D" in html
    rules = re.findall(r"<li>(.*?) → <strong>([a-z-]+)</strong></li>", html.split('id="rules"')[1].split("</ol>")[0])
    assert [verdict for _, verdict in rules] == [verdict for verdict, _ in RULES]  # the method's own list, in order
    assert '<tr><td>contradicts</td><td>against</td><td class="num">3</td>' in html
    promise = Path("site/promises/kz-assembly-law.html").read_text(encoding="utf-8")
    assert "3 × 3 = 9" in promise and '<strong id="score">6</strong>' in promise  # 100 × 2 / (2 + 30)


def test_feed_lists_changes_dated_by_the_records(tracker, site):
    tree = ET.parse(site / "feed.xml").getroot()
    assert tree.find(f"{ATOM}updated").text == f"{AS_OF}T00:00:00Z"
    entries = tree.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert "Free political prisoners: not-rated → kept" in titles
    assert "New evidence on Free political prisoners: All political prisoners released" in titles
    assert "Publish the budget: not-rated → broken" in titles
    stamps = [e.find(f"{ATOM}updated").text for e in entries]
    assert stamps == sorted(stamps, reverse=True) and max(stamps) <= f"{AS_OF}T00:00:00Z"
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    tracker("site", "published", "--as-of", AS_OF, "--base-url", "https://example.github.io/kz")
    feed = ET.parse("published/feed.xml").getroot()
    link = feed.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert link.startswith("https://example.github.io/kz/promises/")


def test_show_writes_the_timeline_chart(tracker, kz, site):
    tracker("show", "kz-assembly-law", "--as-of", AS_OF, "--chart", "timeline.svg")
    svg = Path("timeline.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "Timeline: Reform the law on peaceful assemblies"
    assert "3 go against it (total weight 10)" in root.find(f"{SVG}desc").text
    kinds = [g.get("class") for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("mark ")]
    assert sorted(kinds) == sorted(["mark mark-statement"] * 2 + ["mark mark-support"] * 2 + ["mark mark-against"] * 3)
    assert svg.strip() in (site / "promises/kz-assembly-law.html").read_text(encoding="utf-8")


def test_show_chart_of_an_event_is_refused(tracker, kz):
    result = tracker("show", "kz-2019-09-21-dvk-rally", "--chart", "x.svg", code=1)
    assert "is an event" in result.stderr and not Path("x.svg").exists()


def test_show_chart_of_no_record_says_so(tracker, kz):
    result = tracker("show", "nosuch", "--chart", "x.svg", code=1)
    assert result.stderr == "error: no promise or event has the ID 'nosuch' in records\n"
    assert not Path("x.svg").exists()


def test_show_chart_never_replaces_a_file_unless_forced(tracker, kz):
    Path("timeline.svg").write_text("my own drawing", encoding="utf-8")
    result = tracker("show", "kz-assembly-law", "--as-of", AS_OF, "--chart", "timeline.svg", code=1)
    assert result.stderr == ("error: timeline.svg already exists; nothing was written. Give another name, "
                             "or --force to replace it\n")
    assert result.stdout == "" and Path("timeline.svg").read_text(encoding="utf-8") == "my own drawing"
    tracker("show", "kz-assembly-law", "--as-of", AS_OF, "--chart", "timeline.svg", "--force")
    assert Path("timeline.svg").read_text(encoding="utf-8").startswith("<svg")


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_show_chart_never_writes_into_the_records(tracker, kz, force):
    before = snapshot(kz)
    event = next((kz / "kz" / "events").rglob("*.toml"))
    for target in (event, kz / "timeline.svg", kz / "kz" / "events" / "2019" / "new.svg"):
        result = tracker("show", "kz-assembly-law", "--chart", str(target), *force, code=1)
        assert result.stderr.startswith(f"error: {target} is inside the records directory records;")
        assert len(result.stderr.splitlines()) == 1
    os.symlink(kz / "kz", "shortcut")  # a link into the records is still the records
    tracker("show", "kz-assembly-law", "--chart", "shortcut/x.svg", *force, code=1)
    assert snapshot(kz) == before


def test_show_chart_makes_no_folders(tracker, kz):
    result = tracker("show", "kz-assembly-law", "--chart", "no/such/folder/x.svg", code=1)
    assert result.stderr == ("error: no/such/folder/x.svg: there is no folder no/such/folder; nothing was written. "
                             "Create it first\n")
    assert not Path("no").exists()


def test_a_directory_with_other_files_is_refused(tracker, kz):
    Path("mine").mkdir()
    Path("mine/notes.txt").write_text("my notes", encoding="utf-8")
    result = tracker("site", "mine", "--as-of", AS_OF, code=1)
    assert "was not made by `tracker site`" in result.stderr
    assert [p.name for p in Path("mine").iterdir()] == ["notes.txt"]


def test_a_rebuild_removes_only_its_own_stale_files(tracker, site):
    (site / "CNAME").write_text("tracker.example.org\n", encoding="utf-8")
    result = tracker("site", "site", "--as-of", AS_OF, "--country", "US")
    assert "removed 10 stale file(s)" in result.stderr
    assert not (site / "promises/kz-assembly-law.html").exists()
    assert (site / "promises/us-budget.html").exists() and (site / "CNAME").read_text() == "tracker.example.org\n"


def test_invalid_records_publish_nothing(tracker, kz):
    path = kz / "kz/promises/kz-assembly-law.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("https://www.hrw.org", "javascript:alert(1)//"),
                    encoding="utf-8")
    result = tracker("site", "out", "--as-of", AS_OF, code=1)
    assert "kz-assembly-law.toml" in result.stderr and not Path("out").exists()


def test_bad_base_url_is_a_usage_error(tracker, kz):
    result = tracker("site", "out", "--base-url", "javascript:alert(1)", code=2)
    assert "--base-url" in result.stderr


def test_site_help_has_examples(tracker):
    assert "tracker site public --as-of 2019-09-30" in tracker("site", "--help").stdout



def test_readme_site_command_and_output(isolated):
    """The first command in docs/publishing.md, run as written, says what the page shows."""
    section = (REPO / "docs/publishing.md").read_text(encoding="utf-8").split("## Publishing a site", 1)[1]
    command = shlex.split(shell_block_after("## Publishing a site", "docs/publishing.md"))
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    assert command[0] == "tracker"
    process = run_tracker("--records", str(SHIPPED), *command[1:], cwd=isolated)
    assert (process.returncode, process.stderr) == (0, shown)
    assert (isolated / "public/promises/kz-assembly-law.html").is_file()


def test_a_rebuild_rewrites_only_what_changed(tracker, site):
    for path in site.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    tracker("restate", "us-budget", "--date", "2019-02-01", "--venue", "Budget speech")
    tracker("site", "site", "--as-of", AS_OF)
    changed = sorted(str(p.relative_to(site)) for p in site.rglob("*")
                     if p.is_file() and p.stat().st_mtime != 1_000_000_000)
    assert changed == [".tracker-site", "data.json", "promises/us-budget.html"]  # the manifest holds their hashes
    assert "Budget speech" in (site / "promises/us-budget.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# The verdict over time: `tracker history` and the site's strip are one computation.

def strip_changes(page: Path) -> list[tuple[str, str]]:
    """(first day, verdict) of each row of a promise page's verdict-over-time table; `verdict (editorial)` if rated."""
    strip = page.read_text(encoding="utf-8").split('id="strip-data"', 1)[1].split("</table>", 1)[0]
    found = re.findall(r'<tr><td>([0-9-]+)</td><td>[0-9-]+</td><td><span class="verdict verdict-([a-z-]+)">'
                       r'[a-z-]+</span>( \(editorial\))?</td>', strip)
    return [(day, verdict + editorial) for day, verdict, editorial in found]


def history_changes(tracker, ident: str) -> list[tuple[str, str]]:
    """(day, verdict) of each step of `tracker history` on which the verdict or its source differs from the step
    before; `verdict (editorial)` if rated."""
    steps = json.loads(tracker("history", ident, "--as-of", AS_OF, "--format", "json").stdout)["steps"]
    shown = [(s["date"], s["verdict"] + (" (editorial)" if s["verdict_source"] == "editorial" else ""))
             for s in steps if s["verdict"]]
    return [step for n, step in enumerate(shown) if n == 0 or shown[n - 1][1] != step[1]]


def test_history_and_the_site_agree_on_a_deadline_and_a_stall(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "A. Official", "--title", "Publish the budget",
            "--date", "2018-01", "--deadline", "2019-03", "--id", "kz-budget", "--source", "https://example.org/a")
    tracker("site", "site", "--as-of", AS_OF)
    expected = [("2018-01-31", "not-rated"), ("2019-02-01", "stalled"), ("2019-04-01", "broken")]
    assert strip_changes(Path("site/promises/kz-budget.html")) == expected
    assert history_changes(tracker, "kz-budget") == expected
    table = tracker("history", "kz-budget", "--as-of", AS_OF).stdout
    assert "2019-04-01   the deadline, 2019-03, passed without the" in table


def test_history_and_the_site_agree_on_every_shipped_and_made_promise(tracker, site):
    for page in sorted((site / "promises").glob("*.html")):
        assert history_changes(tracker, page.stem) == strip_changes(page), page.stem


def test_a_deadline_at_the_end_of_the_calendar_is_no_crash(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "A. Official", "--title", "Some day",
            "--date", "2018-01", "--deadline", "9999-12", "--id", "kz-some-day", "--source", "https://example.org/a")
    result = tracker("site", "site", "--as-of", AS_OF)
    assert "Wrote 3 pages" in result.stderr
    assert strip_changes(Path("site/promises/kz-some-day.html")) == [("2018-01-31", "not-rated"),
                                                                      ("2019-02-01", "stalled")]
    assert history_changes(tracker, "kz-some-day") == [("2018-01-31", "not-rated"), ("2019-02-01", "stalled")]
    # At the calendar's end: the deadline never passes, and an event there widens the timeline to the last day.
    tracker("add-event", "--country", "KZ", "--date", "9999-12", "--title", "At last", "--id", "kz-at-last",
            "--severity", "2", "--advances", "kz-some-day", "--source", "https://example.org/b")
    process = run_tracker("--records", "records", "site", "site2", "--as-of", "9999-12-31")
    assert (process.returncode, process.stderr) == (0, "Wrote 4 pages, feed.xml and data.json to site2\n")
    assert strip_changes(Path("site2/promises/kz-some-day.html"))[-1] == ("9999-12-31", "in-progress")


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_site_and_chart_files_get_the_mode_the_umask_gives(tracker, kz, umask, mode):
    before = os.umask(umask)
    try:
        tracker("site", "site", "--as-of", AS_OF)
        tracker("show", "kz-assembly-law", "--as-of", AS_OF, "--chart", "timeline.svg")
    finally:
        os.umask(before)
    files = [p for p in Path("site").rglob("*") if p.is_file()] + [Path("timeline.svg")]
    assert {p.stat().st_mode & 0o777 for p in files} == {mode}


def test_the_verdict_over_time_is_assess_on_each_day(tmp_path):
    """The site assesses each promise on every checkpoint at once (changes.assess_days); each day's assessment
    must equal score.assess's on that day, field for field, on records with partial dates, restatements and
    ratings, also when the days do not run in order."""
    root = tmp_path / "records"
    generate(root, promises=40, events=1500, countries=3, seed=5)
    for as_of in (dt.date(2026, 1, 1), dt.date(2021, 6, 30)):
        records = load_records(root, as_of)
        linked = links_by_promise(records)
        compared = 0
        for promise in records.promises:
            pairs, terms = linked.get(promise.id, []), terms_of(records, promise)
            days = [dt.date(1990, 1, 1), *checkpoints(promise, pairs, records.config, as_of, terms), as_of,
                    dt.date(2020, 1, 1)]
            expected = [assess(promise, pairs, records.config, day, terms) for day in days]
            assert assess_days(promise, pairs, records.config, days, terms) == expected, promise.id
            compared += sum(a is not None and len(a.evidence) > 1 for a in expected)
        assert compared > 1000


@pytest.mark.parametrize("value", [HOSTILE_TITLE, HOSTILE_QUOTE, HOSTILE_EVENT, HOSTILE_OFFICIAL, "&amp; ' \" < >",
                                   "", "Алматы 北京 \u202e\x00", 12, 2.5, dt.date(2019, 6, 1), PartialDate(2019, 6),
                                   Markup("<b>ours</b>")])
def test_pages_drawn_in_python_escape_as_the_templates_do(value):
    """Event pages, the rows of promise pages and the feed's entries are drawn without the template engine;
    each value must come out as the templates' autoescape gives it."""
    assert _text(value) == environment().from_string("{{ value }}").render(value=value) == str(escape(value))


@pytest.mark.parametrize("value", [HOSTILE_TITLE, "kept", "https://example.org/a?b=1&c=<2>", "ftp://example.org/x",
                                   "javascript:alert(1)"])
def test_parts_drawn_in_python_are_the_macros_of_the_templates(value):
    """verdict_html and sources_html stand in for the verdict and sources macros on the pages drawn in Python:
    a change to either macro must be made to both."""
    macros = '{% import "_macros.html" as m %}'
    render = environment().from_string
    assert verdict_html(value) == render(macros + "{{ m.verdict(value) }}").render(value=value)
    assert sources_html((value, "https://example.org/")) == render(macros + "{{ m.sources(urls) }}").render(
        urls=(value, "https://example.org/"))
