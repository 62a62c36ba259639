"""Charts as SVG text: a promise's timeline, its verdict over time, and the tally meter.

Every chart has a <title> and a <desc> (its text alternative), and the page puts a data table
beside it. Meaning never rests on colour alone, so a black-and-white printout still reads:
each verdict has its own fill pattern, support and against have their own shapes and sides.
Record text is escaped here, since the SVG is placed in pages as it is.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache
from html import escape

from .changes import Span, later
from .score import Assessment, ratings_by
from .vocabulary import VERDICTS

WIDTH = 720
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# verdict -> (background colour, pattern drawn over it in a contrasting ink)
VERDICT_LOOK: dict[str, tuple[str, str]] = {
    "kept": ("#1a7f37", "solid"),
    "compromise": ("#f2c94c", "diagonal"),
    "broken": ("#8e1b1b", "crosshatch"),
    "contradicted": ("#f08a6c", "horizontal"),
    "in-progress": ("#8fc1e3", "dots"),
    "stalled": ("#b5b5b5", "vertical"),
    "not-rated": ("#ffffff", "blank"),
}

_PATTERN_PATHS = {
    "diagonal": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{ink}" stroke-width="1.5"/>',
    "crosshatch": '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{ink}" stroke-width="1.2"/>',
    "horizontal": '<path d="M0,2 h8 M0,6 h8" stroke="{ink}" stroke-width="1.2"/>',
    "dots": '<circle cx="2" cy="2" r="1.3" fill="{ink}"/><circle cx="6" cy="6" r="1.3" fill="{ink}"/>',
    "vertical": '<path d="M2,0 v8 M6,0 v8" stroke="{ink}" stroke-width="1.2"/>',
    "solid": "", "blank": "",
}


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _n(value: float) -> str:
    """Coordinates with one decimal at most, so that output is short and stable."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def verdict_fill(prefix: str, verdict: str) -> str:
    return f"url(#{prefix}-{verdict})"


@cache  # the same for every chart of a kind
def _defs(prefix: str) -> str:
    patterns = []
    for verdict, (colour, kind) in VERDICT_LOOK.items():
        ink = "#ffffff" if verdict == "broken" else "#222222"
        patterns.append(f'<pattern id="{prefix}-{verdict}" width="8" height="8" patternUnits="userSpaceOnUse">'
                        f'<rect width="8" height="8" fill="{colour}"/>{_PATTERN_PATHS[kind].format(ink=ink)}</pattern>')
    patterns.append(f'<pattern id="{prefix}-hatch" width="6" height="6" patternUnits="userSpaceOnUse">'
                    f'<rect width="6" height="6" fill="#ffffff"/>'
                    f'<path d="M0,6 l6,-6 M-1,1 l2,-2 M5,7 l2,-2" stroke="#b2182b" stroke-width="1.6"/></pattern>')
    return "<defs>" + "".join(patterns) + "</defs>"


def _open(prefix: str, height: int, title: str, desc: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
            f'height="{height}" role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="chart" '
            f'font-family="sans-serif" font-size="12">'
            f'<title id="{prefix}-title">{_e(title)}</title><desc id="{prefix}-desc">{_e(desc)}</desc>'
            + _defs(prefix))


def _legend(items: list[tuple[str, str]], y: float) -> str:
    """A row of (swatch SVG drawn at 0,0 within 12x12, label), laid out left to right."""
    parts, x = [], 10.0
    for swatch, label in items:
        parts.append(f'<g transform="translate({_n(x)},{_n(y - 10)})">{swatch}</g>'
                     f'<text x="{_n(x + 17)}" y="{_n(y)}">{_e(label)}</text>')
        x += 26 + 6.6 * len(label)
    return "".join(parts)


def _swatch(prefix: str, verdict: str) -> str:
    return f'<rect width="12" height="12" fill="{verdict_fill(prefix, verdict)}" stroke="#222222"/>'


# ---------------------------------------------------------------------------
# The tally meter.

def meter_svg(counts: dict[str, int], prefix: str = "meter") -> str:
    """A stacked bar, one segment per verdict, widths proportional to the number of promises."""
    total = sum(counts.values())
    described = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no promises"
    svg = [_open(prefix, 76, "Verdicts of all promises", f"{total} promises: {described}.")]
    x, left, width = 10.0, 10.0, WIDTH - 20.0
    for verdict in VERDICTS:
        if counts.get(verdict):
            w = width * counts[verdict] / total
            svg.append(f'<rect x="{_n(x)}" y="8" width="{_n(w)}" height="30" fill="{verdict_fill(prefix, verdict)}" '
                       f'stroke="#222222"><title>{_e(f"{counts[verdict]} {verdict}")}</title></rect>')
            x += w
    if not total:
        svg.append(f'<rect x="{_n(left)}" y="8" width="{_n(width)}" height="30" fill="none" stroke="#222222"/>')
    svg.append(_legend([(_swatch(prefix, v), f"{v} {n}") for v, n in counts.items() if n], 62))
    return "".join(svg) + "</svg>"


# ---------------------------------------------------------------------------
# The verdict over time.

def strip_svg(spans: list[Span], title: str, prefix: str = "strip") -> str:
    """One bar from the pledge to the as-of date, a segment per stretch of the same verdict."""
    described = "; ".join(f"{s.verdict} from {s.start} to {s.end}" for s in spans) or "no verdict yet"
    svg = [_open(prefix, 96, f"Verdict over time: {title}", f"Verdict over time: {described}.")]
    if spans:
        first = spans[0].start
        scale = (WIDTH - 20.0) / ((spans[-1].end - first).days + 1)
        for s in spans:
            x = 10 + (s.start - first).days * scale
            w = max((s.end - s.start).days + 1, 1) * scale
            svg.append(f'<rect x="{_n(x)}" y="8" width="{_n(max(w, 2))}" height="30" '
                       f'fill="{verdict_fill(prefix, s.verdict)}" stroke="#222222">'
                       f'<title>{_e(f"{s.verdict}, {s.start} to {s.end}")}</title></rect>')
        svg.append(f'<text x="10" y="54">{_e(spans[0].start)}</text>'
                   f'<text x="{WIDTH - 10}" y="54" text-anchor="end">{_e(spans[-1].end)}</text>')
    seen = list(dict.fromkeys(s.verdict for s in spans))
    svg.append(_legend([(_swatch(prefix, v), v) for v in seen], 84))
    return "".join(svg) + "</svg>"


# ---------------------------------------------------------------------------
# The timeline of statements and events.

@dataclass(frozen=True)
class Mark:
    day: dt.date  # where it is drawn: the middle of a partial date's range
    kind: str  # statement, rating, support, against, context
    weight: float
    label: str


def _middle(first: dt.date, last: dt.date) -> dt.date:
    return first + (last - first) / 2


def timeline_marks(a: Assessment) -> list[Mark]:
    marks = [Mark(_middle(d.first, d.last), "statement", 0, f"{d}: " + ("pledge made" if n == 0 else "restated"))
             for n, d in enumerate(a.statements)]
    marks += [Mark(_middle(r.date.first, r.date.last), "rating", 0, f"{r.date}: rated {r.verdict}")
              for r in ratings_by(a.promise, a.as_of)]
    for e in a.evidence:
        kind = e.side if e.scored else "context"
        weight = f", weight {e.weight:g}" if e.scored else ", before the pledge: not scored"
        marks.append(Mark(_middle(e.event.date.first, e.event.date.last), kind, e.weight,
                          f"{e.event.date}: {e.event.title} ({e.link.stance}{weight})"))
    return sorted(marks, key=lambda m: (m.day, m.kind, m.label))


def _ticks(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """First-of-month ticks every 1, 2, 3, 6 or 12 months (or more years), at most 8 of them."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60, 120, 600) if months / s <= 8), 12 * math.ceil(months / 96))
    ticks, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        day = dt.date(year, month, 1)
        if day >= first and ((month - 1) % step == 0 if step < 12 else month == 1 and year % (step // 12) == 0):
            ticks.append((day, f"{MONTHS[month - 1]} {year}" if step < 12 else str(year)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ticks


def _shape(kind: str, x: float, y: float, r: float, prefix: str) -> str:
    if kind == "support":
        base = _n(y + r * 0.8)
        return (f'<path d="M{_n(x)},{_n(y - r)} L{_n(x + r)},{base} L{_n(x - r)},{base} Z" '
                f'fill="#1a7f37" stroke="#000000"/>')
    if kind == "against":
        base = _n(y - r * 0.8)
        return (f'<path d="M{_n(x)},{_n(y + r)} L{_n(x + r)},{base} L{_n(x - r)},{base} Z" '
                f'fill="url(#{prefix}-hatch)" stroke="#b2182b" stroke-width="1.5"/>')
    if kind == "context":
        return (f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="#ffffff" stroke="#555555" '
                f'stroke-dasharray="2 2"/>')
    if kind == "statement":
        return f'<path d="M{_n(x)},{_n(y - 7)} l7,7 l-7,7 l-7,-7 Z" fill="#222222" stroke="#000000"/>'
    return (f'<rect x="{_n(x - 6)}" y="{_n(y - 6)}" width="12" height="12" fill="#ffffff" stroke="#000000" '
            'stroke-width="2"/>')


_LANES = {"support": "up", "against": "down"}  # the rest go on the middle line


def timeline_svg(a: Assessment, prefix: str = "timeline") -> str:
    """Statements and ratings on the middle line; support above it and against below, by weight."""
    marks = timeline_marks(a)
    support = [m for m in marks if m.kind == "support"]
    against = [m for m in marks if m.kind == "against"]
    desc = (f"{len(a.statements)} statement(s) from {a.made}; {len(support)} event(s) support the pledge "
            f"(total weight {a.support:g}), {len(against)} go against it (total weight {a.against:g})"
            + (f"; {len(marks) - len(support) - len(against) - len(a.statements)} other mark(s)"
               if len(marks) > len(support) + len(against) + len(a.statements) else "")
            + (f"; the deadline is {deadline}" if (deadline := a.promise.deadline) else "") + ".")
    svg = [_open(prefix, 330, f"Timeline: {a.promise.title}", desc)]
    # A partial deadline falls due at its last day, as everywhere in the method.
    days = [m.day for m in marks] + ([deadline.last] if deadline else [])
    first, last = min(days), max(days)
    pad = max(dt.timedelta(days=15), (last - first) / 20)
    # Kept within the calendar: a record may be dated as late as 9999.
    first, last = (first - pad if pad <= first - dt.date.min else dt.date.min), later(last, pad)
    left, right, middle, reach = 40.0, WIDTH - 20.0, 150.0, 105.0
    scale = (right - left) / max((last - first).days, 1)
    heaviest = max((m.weight for m in marks), default=1) or 1
    svg.append(f'<text x="{_n(left)}" y="18" font-weight="bold">▲ support</text>'
               f'<text x="{_n(left)}" y="278" font-weight="bold">▼ against</text>'
               f'<line x1="{_n(left)}" y1="{_n(middle)}" x2="{_n(right)}" y2="{_n(middle)}" stroke="#000000"/>')
    for day, label in _ticks(first, last):
        x = left + (day - first).days * scale
        svg.append(f'<line x1="{_n(x)}" y1="30" x2="{_n(x)}" y2="262" stroke="#cccccc" stroke-dasharray="3 3"/>'
                   f'<text x="{_n(x)}" y="294" text-anchor="middle">{_e(label)}</text>')
    if deadline:
        x = left + (deadline.last - first).days * scale
        svg.append(f'<g class="deadline"><title>{_e(f"Deadline: {deadline}")}</title>'
                   f'<line x1="{_n(x)}" y1="26" x2="{_n(x)}" y2="266" stroke="#000000" stroke-width="2" '
                   f'stroke-dasharray="6 3"/><text x="{_n(x - 4)}" y="40" text-anchor="end">'
                   f'{_e(f"deadline {deadline}")}</text></g>')
    placed: dict[str, float] = {}
    axis = _n(middle)
    for m in marks:
        r = min(4 + 1.5 * math.sqrt(m.weight), 12) if m.weight else 6
        lane = _LANES.get(m.kind, "mid")
        # Marks on one side that would overlap move right; at the edge they stack (the table has them all).
        x = min(max(left + (m.day - first).days * scale, placed.get(lane, -100) + 2 * r + 2), right)
        placed[lane] = x
        length = max(reach * m.weight / heaviest, 14) if lane != "mid" else 0
        y = middle - length if lane == "up" else middle + length
        dash = ' stroke-dasharray="2 2"' if m.kind == "context" else ""
        at = _n(x)
        stem = (f'<line x1="{at}" y1="{axis}" x2="{at}" y2="{_n(y)}" stroke="#000000" '
                f'stroke-width="1.5"{dash}/>' if length else "")
        svg.append(f'<g class="mark mark-{m.kind}"><title>{_e(m.label)}</title>'
                   f'{stem}{_shape(m.kind, x, y, r, prefix)}</g>')
    legend = [(_shape("statement", 6, 6, 6, prefix), "statement"), (_shape("rating", 6, 6, 6, prefix), "rating"),
              (_shape("support", 6, 7, 6, prefix), "supports (size = weight)"),
              (_shape("against", 6, 5, 6, prefix), "against"),
              (_shape("context", 6, 6, 5, prefix), "before the pledge")]
    svg.append(_legend(legend, 322))
    return "".join(svg) + "</svg>"
