"""The site in a real browser: headless Chromium from the system packages, driven by Playwright.

Skips, saying why, when Playwright or the browser is missing. TRACKER_SCREENSHOTS=DIR also
saves the README's screenshots of the shipped example into DIR (as TRACKER_SCREENSHOTS=docs).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import REPO, SHIPPED
from sitecheck import HOSTILE_EVENT, HOSTILE_OFFICIAL, HOSTILE_QUOTE, HOSTILE_TITLE, make_records

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AS_OF = "2019-09-30"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no browser at {CHROMIUM}; install it with `apt-get install chromium`")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    except Error as error:
        playwright.stop()
        pytest.skip(f"{CHROMIUM} could not be launched: {str(error).splitlines()[0]}")
    yield chromium
    chromium.close()
    playwright.stop()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(directory: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=directory))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def url(tracker, kz) -> Iterator[str]:
    """The shipped records plus the test records with hostile text, published and served locally."""
    make_records(tracker)
    tracker("site", "site", "--as-of", AS_OF)
    yield from serve(Path("site").resolve())


@pytest.fixture
def page(browser):
    """A page that fails the test on any script error, console error or dialog (an alert from injected script)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(5000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield tab
    context.close()
    assert not problems


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all("#promises tbody tr", "rows => rows.filter(r => r.offsetParent !== null)"
                                     ".map(r => r.dataset.id)")


def test_tally_matches_the_report(tracker, url, page):
    summary = json.loads(tracker("report", "--as-of", AS_OF, "--format", "json").stdout)["summary"]
    page.goto(url + "index.html")
    shown = {row.get_attribute("data-verdict"): int(row.locator("td.num").inner_text())
             for row in page.locator("#tally tbody tr").all()}
    assert shown == {verdict: count for verdict, count in summary.items() if count}  # only verdicts some promise has
    assert page.locator("svg.chart title").first.text_content() == "Verdicts of all promises"
    segments = page.locator("svg.chart > rect").count()
    assert segments == sum(1 for count in summary.values() if count)


def test_filters_hide_the_right_rows(url, page):
    page.goto(url + "index.html")
    assert visible_ids(page) == ["kz-assembly-law", "kz-hostile", "kz-prisoners", "us-budget"]
    page.select_option("#f-verdict", "broken")
    assert visible_ids(page) == ["us-budget"]
    assert page.inner_text("#shown") == "1 of 4 promises shown"
    page.select_option("#f-verdict", "")
    page.select_option("#f-country", "KZ")
    assert visible_ids(page) == ["kz-assembly-law", "kz-hostile", "kz-prisoners"]
    page.select_option("#f-topic", "detention")
    assert visible_ids(page) == ["kz-prisoners"]
    page.select_option("#f-topic", "")
    page.select_option("#f-official", HOSTILE_OFFICIAL)
    assert visible_ids(page) == ["kz-hostile"]
    page.select_option("#f-official", "")
    page.fill("#f-search", "law assemblies")
    assert visible_ids(page) == ["kz-assembly-law"]
    page.goto(url + "index.html?topic=transparency")
    assert visible_ids(page) == ["us-budget"]


def test_filters_work_without_javascript(browser, url):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(5000)
    page = context.new_page()
    page.goto(url + "index.html")
    assert len(visible_ids_static(page)) == 4
    assert not page.locator("#filters").is_visible()
    page.click('a[href="#only-verdict-kept"]')
    assert visible_ids_static(page) == ["kz-prisoners"]
    page.click('a[href="#promises-heading"]')
    assert len(visible_ids_static(page)) == 4
    context.close()


def visible_ids_static(page) -> list[str]:
    """Visible rows, read without running the page's own script."""
    return [row.get_attribute("data-id") for row in page.locator("#promises tbody tr").all() if row.is_visible()]


def test_promise_page_shows_evidence_and_chart(url, page):
    page.goto(url + "promises/kz-assembly-law.html")
    assert page.locator("#score").inner_text() == "17"
    evidence = page.locator("#evidence tbody tr")
    assert evidence.count() == 5
    assert "About 100 detained at an opposition rally in Almaty" in evidence.nth(4).inner_text()
    timeline = page.locator("section[aria-labelledby=timeline-heading] svg.chart")
    assert timeline.is_visible()
    box = timeline.bounding_box()
    assert box["width"] > 500 and box["height"] > 200
    assert timeline.locator("g.mark-against").count() == 3 and timeline.locator("g.mark-support").count() == 2
    assert page.locator("#timeline-data tbody tr").count() == 7
    assert page.locator("section[aria-labelledby=strip-heading] svg.chart").is_visible()
    page.click("#evidence >> text=About 100 detained")
    assert page.url.endswith("/events/kz-2019-09-21-dvk-rally.html")


def test_hostile_text_runs_nothing_and_shows_literally(url, page):
    for path in ("index.html", "promises/kz-hostile.html", "events/kz-hostile-draft.html"):
        page.goto(url + path)
        for cell in page.locator("td, dd").filter(has_text="Evil").all():
            cell.hover()  # would fire an injected onmouseover
        assert page.evaluate("typeof window.pwned") == "undefined", path
    page.goto(url + "promises/kz-hostile.html")
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.title() == f"{HOSTILE_TITLE} · Promise tracker"
    assert page.locator("blockquote").inner_text() == HOSTILE_QUOTE
    assert HOSTILE_OFFICIAL in page.locator("dl.fields").inner_text()
    assert HOSTILE_EVENT in page.locator("#evidence").inner_text()
    assert page.locator("svg.chart title").first.text_content() == f"Timeline: {HOSTILE_TITLE}"
    page.goto(url + "index.html")
    assert page.locator("#row-kz-hostile a").first.inner_text() == HOSTILE_TITLE


@pytest.mark.skipif(not os.environ.get("TRACKER_SCREENSHOTS"), reason="set TRACKER_SCREENSHOTS=DIR to save them")
def test_screenshots_of_the_shipped_example(browser, tracker, isolated):
    """The README's pictures: the shipped Kazakhstan records as of AS_OF."""
    target = REPO / os.environ["TRACKER_SCREENSHOTS"]  # a relative DIR is taken from the repository
    tracker("--records", str(SHIPPED), "site", "site", "--as-of", AS_OF, "--title", "Kazakhstan promise tracker")
    for base in serve(Path("site").resolve()):
        context = browser.new_context(viewport={"width": 1000, "height": 800})
        tab = context.new_page()
        for path, name in (("index.html", "site-index.png"), ("promises/kz-assembly-law.html", "site-promise.png")):
            tab.goto(base + path)
            tab.screenshot(path=str(target / name), full_page=True)
        context.close()
