"""The static site: an index with the tally and filters, a page per promise and per event,
the methodology, an Atom feed and data.json.

`build` is a pure function of the records and options (never the clock), so the same
inputs give byte-identical files and a site kept in git changes only where the records did.
Pages load nothing from the network: the style and script are inlined and pinned by hash
in each page's Content-Security-Policy, which also stops any script that escaping missed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, partial
from operator import itemgetter
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from . import chart, safeout, serialise
from .changes import Milestone, Span, milestones, spans, verdict_points
from .model import Config, Event, Link, Records
from .parallel import map_ordered
from .safeout import Drawn, Framed, Start
from .score import (
    RULES,
    Assessment,
    Evidence,
    counts_by,
    links_by_promise,
    meaning,
    ratings_by,
    report,
    severity,
    statements_by,
    tally,
    terms_of,
)
from .serialise import timeline_rows
from .store import StoreError
from .terminal import safe
from .validate import check_url
from .vocabulary import STANCES, VERDICTS


@dataclass(frozen=True)
class SiteOptions:
    as_of: dt.date
    title: str = "Promise tracker"
    country: str | None = None
    base_url: str | None = None  # where the site will be served; makes the feed's links absolute


# ---------------------------------------------------------------------------
# Building: records in, {relative path: text} out.

class SiteFiles(Mapping[str, Drawn]):
    """Every file of the site by its path relative to the output directory, each drawn when it is read.

    The names are known at once; a page is drawn only when asked for, so that writing the site holds one
    page at a time, not a hundred thousand.
    """

    def __init__(self, draw: dict[str, Callable[[], Drawn]]) -> None:
        self._draw = draw

    def __getitem__(self, name: str) -> Drawn:
        return self._draw[name]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._draw)

    def __len__(self) -> int:
        return len(self._draw)


def build_site(records: Records, options: SiteOptions) -> SiteFiles:
    """Every file of the site by its path relative to the output directory."""
    linked = links_by_promise(records)
    assessments = report(records, options.as_of, options.country)
    # Each promise's verdict over time, and its feed entries drawn, on every core for many promises. The
    # workers are given positions in the list, not assessments: what is given to a worker is pickled.
    base = options.base_url or ""

    def drawn_history(n: int) -> tuple[list[Span], list[FeedEntry]]:
        a = assessments[n]
        return _history(a, linked.get(a.promise.id, []), records, base)

    history = dict(zip((a.promise.id for a in assessments),
                       map_ordered(drawn_history, range(len(assessments)), least=PARALLEL_PROMISES, chunk=50),
                       strict=True))
    events = site_events(records, assessments, options)
    env = environment()
    common = {"site_title": options.title, "as_of": options.as_of, "style": _inlined(env, "site.css")}
    page = _page_renderer(env, common)
    draw: dict[str, Callable[[], Drawn]] = {
        "index.html": lambda: page("index.html", "", **index_context(assessments)),
        "methodology.html": lambda: page("methodology.html", "", config=records.config, stances=STANCES,
                                         verdicts=VERDICTS, rules=RULES, count=len(assessments)),
        "feed.xml": lambda: env.get_template("feed.xml").render(feed_context(history, options, common)),
        "data.json": lambda: serialise.to_json(serialise.report_dict(
            assessments, options.as_of, {"country": options.country, "official": None, "topic": None})) + "\n",
        ".nojekyll": lambda: ""}
    shown_events = {e.id for e in events}
    for a in assessments:
        draw[f"promises/{a.promise.id}.html"] = partial(lambda a: page("promise.html", "../", **promise_context(
            a, history[a.promise.id][0], records, shown_events)), a)
    event_page = EventPages(page, {a.promise.id: a for a in assessments}, records.config)
    for event in events:
        draw[f"events/{event.id}.html"] = partial(event_page, event)
    return SiteFiles(draw)


FeedEntry = tuple[tuple[dt.date, str, str, str], str]  # (where it sorts in the feed, its <entry> drawn)
PARALLEL_PROMISES = 400  # about a second of work: below it, a pool costs more than it saves


def _history(a: Assessment, linked: list[tuple[Event, Link]], records: Records,
             base: str) -> tuple[list[Span], list[FeedEntry]]:
    """The promise's verdict over time (for its page) and what changed when (for the feed, drawn), worked out
    once: the assessment of each day is dropped as soon as these are drawn from it. Only plain values come
    back, so that a worker process sends little."""
    points = verdict_points(a.promise, linked, records.config, a.as_of, terms_of(records, a.promise))
    merged = spans(points)
    return merged, [((c.date, c.promise.id, c.kind, c.evidence.event.id if c.evidence else ""),
                     _entry_xml(feed_entry(c, base))) for c in milestones(points, merged)]


def site_events(records: Records, assessments: list[Assessment], options: SiteOptions) -> list[Event]:
    """Events of the chosen country by the as-of date, and any other event that is evidence on a shown promise."""
    evidence = {e.event.id for a in assessments for e in a.evidence}
    return sorted((e for e in records.events
                   if e.id in evidence or (counts_by(e.date, options.as_of)
                                           and options.country in (None, e.country))), key=lambda e: e.id)


def environment() -> Environment:
    env = Environment(loader=PackageLoader("tracker", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["http_url"] = http_url
    env.filters["num"] = lambda value: f"{value:g}"
    env.globals["severity"] = severity
    return env


def http_url(value: str) -> str | None:
    """The URL when it is http or https, else None: the templates then print it as text, not as a link."""
    return value if check_url(value) is None else None


def _inlined(env: Environment, name: str) -> str:
    """A file of the templates folder as it is: each page carries the style sheet and the script inline."""
    if env.loader is None:  # environment() always sets one; this says so to the type checker
        raise RuntimeError("the site's templates have no loader")
    return env.loader.get_source(env, name)[0]


def _page_renderer(env: Environment, common: dict[str, Any]) -> Callable[..., str]:
    script = _inlined(env, "site.js")

    def page(name: str, root: str, **context: Any) -> str:
        style = common["style"] + context.pop("extra_style", "")
        csp = (f"default-src 'none'; style-src '{_hash(style)}'; script-src '{_hash(script)}'; img-src data:; "
               "base-uri 'none'; form-action 'none'")
        # Our own style and script, not record text: marked safe so that escaping leaves them as they are.
        return env.get_template(name).render(common, root=root, style=Markup(style), script=Markup(script), csp=csp,
                                             **context)

    return page


def _text(value: object) -> str:
    """The value as text in HTML, escaped as the templates' autoescape (markupsafe.escape) does.

    Millions of values at 100,000 events: plain text is escaped here by markupsafe's own replacements, in
    its order, without making a Markup of each; anything that draws itself (__html__) goes to markupsafe."""
    if type(value) is str:
        text = value
    elif hasattr(value, "__html__"):
        return str(escape(value))
    else:
        text = str(value)
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
            .replace('"', "&#34;"))


_MARK = "\x00part\x00"  # where a page's own parts go in its frame; no template or option text holds it


class EventPages:
    """The page of each event: drawn here, not by the template engine, since there is one per event.

    Jinja spends about half a millisecond on a page (a new context, the frame of base.html, a macro
    call per link and per source); at 100,000 events that was most of the time of a site. The frame,
    everything around the title and the main part, is drawn once by the templates (event.html, base.html)
    and cut at marks; each page fills in its own parts. Record text is escaped by _text, exactly as the
    templates' autoescape does, so the bytes are those the templates gave (tests/test_site.py holds the
    escaping). Each promise's link text and each stance's multiplier are drawn once for every page.
    """

    def __init__(self, page: Callable[..., str], promises: dict[str, Assessment], config: Config) -> None:
        self.frame = page("event.html", "../", title=Markup(_MARK), main=Markup(_MARK)).split(_MARK)
        if len(self.frame) != 3:
            raise RuntimeError("event.html must show the title and the main part once each")
        self.start = Start(self.frame[0])  # most of each page's bytes (the style and the script): hashed once
        self.promises, self.config = promises, config
        self.targets: dict[str, str] = {}
        self.multipliers: dict[str, str] = {}

    def __call__(self, event: Event) -> Framed:
        _, middle, tail = self.frame
        return Framed(self.start, "".join((_text(event.title), middle, self.main(event), tail)))

    def main(self, event: Event) -> str:
        parts = [f'<p class="crumbs"><a href="../index.html">All promises</a></p>\n<h1>{_text(event.title)}</h1>\n'
                 f'<dl class="fields">\n<dt>Date</dt><dd>{_text(event.date)}</dd>\n'
                 f"<dt>Country</dt><dd>{_text(event.country)}</dd>\n"]
        if event.kind:
            parts.append(f"<dt>Kind</dt><dd>{_text(event.kind)}</dd>")
        if event.location:
            parts.append(f"<dt>Location</dt><dd>{_text(event.location)}</dd>")
        if event.actors:
            parts.append('<dt>Actors</dt><dd><ul class="actors">'
                         + "".join(f"<li>{_text(actor)}</li>" for actor in event.actors) + "</ul></dd>")
        if event.counts:
            parts.append("<dt>Counts</dt><dd>" + ", ".join(f"{_text(f'{n:,}')} {_text(name)}"
                                                           for name, n in event.counts.items()) + "</dd>")
        parts.append(f"<dt>Severity</dt><dd>{_text(event.severity)} of 5</dd>\n"
                     f"<dt>ID</dt><dd><code>{_text(event.id)}</code></dd>\n</dl>\n")
        if event.notes:
            parts.append(f'<p class="notes">{_text(event.notes)}</p>')
        parts.append("<h2>Sources</h2>\n")
        parts.append(sources_html(event.sources) if event.sources else "<p>None given.</p>")
        parts.append('<h2>Promises it bears on</h2>\n<ul class="links">\n')
        for link in event.links:
            note = f". {_text(link.note)}" if link.note else ""
            parts.append(f"<li>{_text(link.stance)}:\n{self.target(link.promise)}— weight "
                         f"{_text(severity(event, link))} × {self.multiplier(link.stance)}{note}</li>\n")
        parts.append("</ul>\n")
        return "".join(parts)

    def target(self, promise: str) -> str:
        """A link to the promise's page and its verdict, or its ID alone when it has no page on this site."""
        if promise not in self.targets:
            a = self.promises.get(promise)
            self.targets[promise] = (f'<a href="../promises/{_text(promise)}.html">{_text(a.promise.title)}</a> '
                                     f"({verdict_html(a.verdict)})" if a
                                     else f"<code>{_text(promise)}</code> <small>(not on this site)</small>")
        return self.targets[promise]

    def multiplier(self, stance: str) -> str:
        if stance not in self.multipliers:
            self.multipliers[stance] = _text(f"{self.config.multipliers.get(stance, 0):g}")
        return self.multipliers[stance]


def verdict_html(name: str) -> str:
    """As the verdict macro of _macros.html draws it."""
    return f'<span class="verdict verdict-{_text(name)}">{_text(name)}</span>'


def sources_html(urls: tuple[str, ...]) -> str:
    """As the sources macro of _macros.html draws a list of sources: a link only to an http or https URL."""
    items = (f'<li><a href="{_text(url)}" rel="noopener noreferrer nofollow">{_text(url)}</a></li>\n'
             if http_url(url) else f'<li><span class="url">{_text(url)}</span></li>\n' for url in urls)
    return '<ul class="sources">\n' + "".join(items) + "</ul>\n" if urls else ""


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# ---------------------------------------------------------------------------
# What each page shows.

def index_context(assessments: list[Assessment]) -> dict[str, Any]:
    counts = tally(assessments)
    countries = sorted({a.promise.country for a in assessments})
    officials = sorted({a.promise.official for a in assessments})
    topics = sorted({t.casefold() for a in assessments for t in a.promise.topics})
    verdicts = [v for v in VERDICTS if counts[v]]
    rows = [{"a": a, "latest": a.evidence[-1] if a.evidence else None,
             "topics": sorted({t.casefold() for t in a.promise.topics}),
             "classes": " ".join([f"f-verdict-{a.verdict}", f"f-country-{a.promise.country.lower()}",
                                  f"f-official-{officials.index(a.promise.official)}"]
                                 + [f"f-topic-{topics.index(t.casefold())}" for t in a.promise.topics])}
            for a in assessments]
    # Filters without JavaScript: a link to #only-X makes that anchor the :target, and this CSS hides
    # every row without class X. Class names are built from verdicts, country codes and list positions,
    # never from record text, so the generated CSS cannot be steered by a record.
    keys = ([f"verdict-{v}" for v in verdicts] + [f"country-{c.lower()}" for c in countries]
            + [f"official-{n}" for n in range(len(officials))] + [f"topic-{n}" for n in range(len(topics))])
    extra_style = "".join(f"\n#only-{k}:target ~ table tbody tr:not(.f-{k}) {{ display: none; }}" for k in keys)
    return {"counts": counts, "total": len(assessments), "rows": rows, "countries": countries,
            "officials": officials, "topics": topics, "verdicts": verdicts, "keys": keys,
            "meter": Markup(chart.meter_svg(counts)), "extra_style": extra_style + "\n"}


def promise_context(a: Assessment, merged: list[Span], records: Records, shown_events: set[str]) -> dict[str, Any]:
    """What promise.html shows. The rows of its tables, one per piece of evidence, are drawn here with each
    value escaped by _text, as the template's autoescape would: a template loop costs several times more per row."""
    rows = "".join(f'<tr><td>{_text(date)}</td><td>{_text(what)}</td><td>{_text(stance)}</td><td class="num">'
                   f"{_text(weight)}</td></tr>\n" for date, what, stance, weight in timeline_rows(a))
    strip = "".join(f"<tr><td>{_text(s.start)}</td><td>{_text(s.end)}</td><td>{verdict_html(s.verdict)}"
                    f"{' (editorial)' if s.source == 'editorial' else ''}</td><td>{_text(s.reason)}</td></tr>\n"
                    for s in merged)
    multipliers = records.config.multipliers
    return {"a": a, "p": a.promise, "timeline": Markup(chart.timeline_svg(a)), "timeline_rows": Markup(rows),
            "strip": Markup(chart.strip_svg(merged, a.promise.title)), "spans": Markup(strip),
            "evidence": Markup("".join(evidence_row(e, shown_events, multipliers) for e in a.evidence)),
            "sentences": explain(a), "ratings": ratings_by(a.promise, a.as_of),
            "statements": statements_by(a.promise, a.as_of)}


def evidence_row(e: Evidence, shown_events: set[str], multipliers: Mapping[str, float]) -> str:
    """A row of a promise's table of evidence: the event (a link to its page when it has one), stance, weight."""
    event, link = e.event, e.link
    title = (f'<a href="../events/{_text(event.id)}.html">{_text(event.title)}</a>' if event.id in shown_events
             else _text(event.title))
    note = f"<br><small>{_text(link.note)}</small>" if link.note else ""
    opening, stance = _stance_cells(link.stance)
    weighed = f"{severity(event, link)} × {multipliers.get(link.stance, 0):g} = {e.weight:g}"  # numbers only
    return (f"{opening}<td>{_text(event.date)}</td>\n<td>{title}{note}</td>\n{stance}"
            f'<td class="num">{weighed}</td>\n<td>{"yes" if e.scored else "no: before the pledge"}</td>\n</tr>\n')


@cache
def _stance_cells(stance: str) -> tuple[str, str]:
    """The opening of an evidence row, and its stance cell, for each stance: drawn once, not once a row."""
    side = STANCES[stance].side
    return (f'<tr class="side-{_text(side)}">\n',
            f"<td>{_text(stance)} <small>({_text(side)}: {_text(STANCES[stance].meaning)})</small></td>\n")


def explain(a: Assessment) -> list[str]:
    """The rules that fired, one plain sentence each, in the order the method applies them."""
    scored = [e for e in a.evidence if e.scored]
    support = [e for e in scored if e.side == "support"]
    sentences = [f"Support totals {a.support:g}, the sum of the weights of {len(support)} supporting item(s); "
                 f"against totals {a.against:g}, from {len(scored) - len(support)} item(s)."]
    if a.score is None:
        sentences.append("There is no score: no evidence counts yet.")
    else:
        sentences.append(f"Score = 100 × support ÷ (support + against) = 100 × {a.support:g} ÷ "
                         f"{a.support + a.against:g} = {a.score}, rounded half up.")
    context = len(a.evidence) - len(scored)
    if context:
        sentences.append(f"{context} event(s) happened before the pledge was made; they are shown as context "
                         "and not scored.")
    sentences.append(f"The computed verdict is {a.computed_verdict}, because {a.reason}.")
    sentences.append(f"What it means: {meaning(a)}")
    if a.rating:
        by = f" by {a.rating.by}" if a.rating.by else ""
        sentences.append(f"An editorial rating of {a.rating.date}{by} says {a.rating.verdict}; an editorial rating "
                         "overrides the computed verdict, so the published verdict is "
                         f"{a.verdict}.")
    return sentences


def feed_context(history: dict[str, tuple[list[Span], list[FeedEntry]]], options: SiteOptions,
                 common: dict[str, Any]) -> dict[str, Any]:
    entries = sorted((entry for _, drawn in history.values() for entry in drawn), key=itemgetter(0), reverse=True)
    base = options.base_url or ""
    # Hundreds of thousands of entries at 100,000 events: drawn by _history, each field escaped by _text as
    # the template's autoescape would, rather than by a loop of the template.
    return common | {"entries": Markup("".join(xml for _, xml in entries)), "base": base,
                     "feed_id": f"{base}feed.xml" if base else f"urn:tracker-site:{_slug(options.title)}",
                     "updated": _stamp(options.as_of)}


def feed_entry(c: Milestone, base: str) -> dict[str, Any]:
    link = f"{base}promises/{c.promise.id}.html"
    e = c.evidence
    if e is None:  # a change of verdict: only those carry no evidence
        title = (f"{c.promise.title}: {c.previous} → {c.verdict}" if c.previous
                 else f"{c.promise.title}: first verdict, {c.verdict}")
        summary, key = f"Verdict {c.verdict}, because {c.reason}.", f"verdict-{c.date}"
    else:
        title = f"New evidence on {c.promise.title}: {e.event.title}"
        weight = f"weight {e.weight:g}" if e.scored else "before the pledge, not scored"
        summary, key = f"{e.event.date}: {e.event.title} ({e.link.stance}, {weight}).", f"evidence-{e.event.id}"
    ident = f"{link}#{key}" if base else f"urn:tracker-site:{c.promise.id}:{key}"
    # XML 1.0 forbids most control characters, which escaping alone would leave in place.
    return {"id": ident, "title": safe(title), "summary": safe(summary), "link": link, "updated": _stamp(c.date)}


def _entry_xml(entry: dict[str, str]) -> str:
    return (f"<entry>\n<title>{_text(entry['title'])}</title>\n<id>{_text(entry['id'])}</id>\n"
            f"<updated>{_text(entry['updated'])}</updated>\n<link href=\"{_text(entry['link'])}\"/>\n"
            f"<summary>{_text(entry['summary'])}</summary>\n</entry>\n")


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "site"


# ---------------------------------------------------------------------------
# Writing the files: by the safe-output rules (tracker.safeout).

def write_site(outdir: Path, files: Mapping[str, Drawn], records: Path) -> list[str]:
    """Swap the new site into outdir whole; returns the stale files of the last build that were removed.

    A directory that holds anything but an earlier build is refused: nothing a person put there is touched.
    """
    return safeout.write_tree(outdir, files, records)


def write_chart(path: Path, svg: str, records: Path, force: bool) -> None:
    """Write a chart someone asked for: never into the records, over a file only if forced, into an existing folder."""
    if not path.parent.is_dir():
        raise StoreError(f"{path}: there is no folder {path.parent}; nothing was written. Create it first")
    safeout.write_file(path, svg.encode("utf-8"), records, force)
