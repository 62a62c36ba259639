"""Records for the site tests, and an HTML parser that checks what a generated page holds."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

HOSTILE_TITLE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
HOSTILE_QUOTE = '</blockquote><script>window.pwned=3</script>'
HOSTILE_EVENT = 'Draft law "published" <svg onload="window.pwned=4">'
HOSTILE_OFFICIAL = 'Evil" onmouseover="window.pwned=5'


def make_records(tracker: Callable) -> None:
    """Four promises with four verdicts in two countries; one with hostile text everywhere (./records)."""
    tracker("add-promise", "--country", "KZ", "--official", "Kassym-Jomart Tokayev", "--title",
            "Free political prisoners", "--date", "2019-06", "--id", "kz-prisoners", "--topic", "detention",
            "--source", "https://example.org/prisoners")
    tracker("add-event", "--country", "KZ", "--date", "2019-07-10", "--title", "All political prisoners released",
            "--id", "kz-release", "--severity", "2", "--fulfills", "kz-prisoners",
            "--source", "https://example.org/release")
    tracker("rate", "kz-prisoners", "--verdict", "kept", "--date", "2019-08-01", "--rationale",
            "Every listed prisoner was freed", "--by", "A. Researcher")
    tracker("add-promise", "--country", "US", "--official", "Jane Doe", "--title", "Publish the budget",
            "--date", "2019-01-15", "--id", "us-budget", "--topic", "Transparency", "--deadline", "2019-03")
    tracker("add-promise", "--country", "KZ", "--official", HOSTILE_OFFICIAL, "--title", HOSTILE_TITLE,
            "--date", "2019-07-01", "--id", "kz-hostile", "--topic", "<b>topic</b>", "--quote", HOSTILE_QUOTE,
            "--text", "<iframe src=javascript:alert(1)>")
    tracker("add-event", "--country", "KZ", "--date", "2019-08-15", "--title", HOSTILE_EVENT, "--id",
            "kz-hostile-draft", "--notes", "<script>window.pwned=6</script>", "--advances", "kz-hostile")


class Page(HTMLParser):
    """Every element with its attributes, the ids, and the text, of one HTML file."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.open: list[str] = []
        self.feed(path.read_text(encoding="utf-8"))
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag not in ("br", "meta", "link", "input", "img", "hr", "wbr", "source"):
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if dict(attrs).get("id"):
            self.ids.add(dict(attrs)["id"])

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"{self.path}: </{tag}> closes <{self.open[-1:]}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def links(self) -> list[str]:
        return [attrs[name] for tag, attrs in self.elements for name in ("href", "src")
                if attrs.get(name) is not None]


def check_links(site: Path, pages: dict[Path, Page]) -> int:
    """Every relative link resolves to a file of the site (and its #fragment to an id); returns how many."""
    checked = 0
    for path, page in pages.items():
        for link in page.links():
            parts = urlsplit(link)
            if parts.scheme:
                assert parts.scheme in ("http", "https"), f"{path}: link {link!r}"
                continue
            here = path.relative_to(site).as_posix()
            relative = posixpath.normpath(posixpath.join(posixpath.dirname(here), parts.path)) if parts.path else here
            target = site / relative
            assert target.is_file(), f"{path}: link {link!r} leads nowhere"
            if parts.fragment:
                assert parts.fragment in pages[target].ids, f"{path}: link {link!r}: no such id"
            checked += 1
    return checked
