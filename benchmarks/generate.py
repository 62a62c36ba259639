"""Write a large, realistic records directory, file for file as `tracker` itself would write it.

Every file is rendered by tracker.store's own functions: a promise as `add-promise`
writes it, each restatement and rating as `restate` and `rate` write them, an event and
its links as `add-event` writes them. The directory is created by `tracker init`'s own
code. The same seed gives the same bytes.

With --old-layout it writes the layout before tracker.layout, for testing `tracker migrate`:
restatements and ratings appended to the promise's file in date order, links as [[links]]
tables in the event's file, events in year folders. The same seed gives the same records
in either layout.

    python -m benchmarks.generate /tmp/big --promises 2000 --events 100000 --countries 150 --seed 1
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from iso3166 import countries_by_alpha2

from tracker import layout, parallel, schema
from tracker.dates import PartialDate
from tracker.layout import slugify
from tracker.store import (
    clean,
    derive_id,
    init_records,
    part_text,
    render_document,
    table_entry,
)
from tracker.vocabulary import COUNTS, EVENT_KINDS, STANCES, VERDICTS

OFFICIALS = ("Kassym-Jomart Tokayev", "Касым-Жомарт Токаев", "Jürgen Müller", "José Ramírez Peña",
             "Nguyễn Thị Hương", "محمد الأمين", "张伟", "Αλέξης Παπαδόπουλος", "Zoë Ó Briain", "Şebnem Yılmaz",
             "Łukasz Wróbel", "Ngozi Okonkwo", "Ana Lúcia Gonçalves", "Søren Kierkegård", "Aigerim Nurlanqyzy",
             "Priya Raghunathan", "Дмитрий Соколов", "Kwame Mensah", "Ahmad Farhādī", "Ines Ćosić")
OFFICES = ("President", "Prime Minister", "Minister of the Interior", "Mayor of the capital", "Prosecutor General",
           "Minister of Justice", None)
PLEDGES = ("Reform the law on peaceful assemblies", "Release all political prisoners",
           "End prior approval for protests", "Stop the detention of journalists",
           "Decriminalise defamation", "Register independent trade unions", "Close the pre-trial detention centre",
           "Allow independent election observers", "Repeal the foreign-agents law", "Protect the right to strike")
TOPICS = ("assembly", "expression", "press", "elections", "detention", "labour", "judiciary")
PLACES = ("Almaty", "Nur-Sultan", "Kraków", "São Paulo", "İstanbul", "Ho Chi Minh City", "Москва", "Zürich",
          "Québec", "Reykjavík", "Tiranë", "Bogotá", "Dakar", "Łódź", "Ciudad Juárez", "Tbilisi", "Αθήνα")
HAPPENINGS = {
    "detention": "{n} detained at a protest in {place}",
    "fine": "{n} protesters fined after a march in {place}",
    "violence": "Police disperse a rally in {place}; {n} injured",
    "legal-change": "Parliament passes amendments on assemblies ({place} session)",
    "statement": "Officials restate the pledge in {place}",
    "permitted-protest": "Rally of {n} allowed in {place} without detentions",
}
STANCE_WEIGHTS = {"contradicts": 50, "consistent": 20, "advances": 15, "partly-fulfills": 5, "breaks": 5,
                  "fulfills": 5}
SOURCES = ("https://www.hrw.org/news/{y}/{m:02d}/{d:02d}/{slug}", "https://www.amnesty.org/en/latest/{slug}-{y}/",
           "https://rus.azattyq.org/a/{slug}/{y}.html", "https://example-monitor.org/reports/{y}/{slug}")
FIRST_YEAR, LAST_YEAR = 2015, 2025


CHUNK = 1000  # records a worker renders and writes at a time
STANCE_ORDER = {stance: place for place, stance in enumerate(STANCES)}
T = TypeVar("T")


class PromiseFiles(NamedTuple):
    """A promise's file and its restatements and ratings, as chosen: what a worker renders and writes."""
    path: str
    fields: dict[str, Any]
    additions: list[tuple[str, dict[str, Any]]]  # ("statements" or "ratings", the entry), in date order


class EventFiles(NamedTuple):
    """An event's file and its links."""
    path: str
    depth: int  # folders below the records directory, for the schema line
    fields: dict[str, Any]
    links: list[tuple[str, str]]  # (the promise's file, the stance), in the order add-event writes them


class Generator:
    """All the random choices, from one seed, made in one process in one order: the same seed, the same records."""

    def __init__(self, seed: int, root: Path, old_layout: bool = False,
                 years: tuple[int, int] = (FIRST_YEAR, LAST_YEAR)) -> None:
        self.random = random.Random(seed)
        self.root = root
        self.years = years  # of the events
        self.used: set[str] = set()
        self.old_layout = old_layout
        self.homes: dict[str, str] = {}  # each promise's file
        self.slugs: dict[str, str] = {}  # each title's slug
        self.folders: dict[tuple[str, int, int | None], tuple[str, int]] = {}  # event folders and their depth

    def date(self, first: int, last: int) -> PartialDate:
        """Mostly full dates; about one in eight gives only the month, one in fifty only the year."""
        year, month, day = self.random.randint(first, last), self.random.randint(1, 12), self.random.randint(1, 28)
        roll = self.random.random()
        return PartialDate(year) if roll < 0.02 else PartialDate(year, month) if roll < 0.14 \
            else PartialDate(year, month, day)

    def later(self, date: PartialDate) -> PartialDate:
        return self.date(min(date.year + 1, LAST_YEAR), min(date.year + 3, LAST_YEAR))

    def unique(self, ident: str) -> str:
        """As `tracker` does for a derived ID: the first free of ident, ident-2, ident-3, …"""
        candidate, attempt = ident, 1
        while candidate in self.used:
            attempt += 1
            candidate = f"{ident}-{attempt}"
        self.used.add(candidate)
        return candidate

    def derived(self, country: str, date: PartialDate, title: str) -> str:
        """derive_id(country, date, title), slugifying each title once rather than once per record.

        derive_id slugifies the title it is given, and a slug is its own slug, so passing the
        slug derives the same ID (a title with no slug at all is passed as it is)."""
        slug = self.slugs.get(title)
        if slug is None:
            slug = self.slugs[title] = slugify(title) or title
        return derive_id(country, date, slug)

    def sources(self, date: PartialDate, slug: str) -> list[str]:
        chosen = self.random.sample(SOURCES, self.random.randint(1, 3))
        return [s.format(y=date.year, m=date.month or 1, d=date.day or 1, slug=slug) for s in chosen]

    def promise(self, country: str) -> tuple[str, PromiseFiles]:
        made = self.date(FIRST_YEAR, 2022)
        pledge = self.random.choice(PLEDGES)
        ident = self.unique(self.derived(country, made, pledge))
        official = self.random.choice(OFFICIALS)
        fields = clean({
            "id": ident, "country": country, "official": official, "office": self.random.choice(OFFICES),
            "title": pledge, "text": f"{pledge}, as promised by {official}." if self.random.random() < 0.5 else None,
            "topics": tuple(self.random.sample(TOPICS, self.random.randint(1, 2))),
            "deadline": self.later(made) if self.random.random() < 0.2 else None,
            "statements": [self.statement(made, ident)]})
        additions = [("statements", self.statement(self.later(made), ident))
                     for _ in range(self.random.choice((0, 0, 0, 1, 1, 2)))]
        if self.random.random() < 0.1:
            additions.append(("ratings", self.rating(self.later(made))))
        additions.sort(key=lambda pair: pair[1]["date"].sort_key())
        path = self.homes[ident] = str(layout.promise_path(self.root, country, ident))
        return ident, PromiseFiles(path, fields, additions)

    def statement(self, date: PartialDate, slug: str) -> dict[str, Any]:
        quote = "We will “guarantee” this right.\nNo one will be punished for peaceful protest." \
            if self.random.random() < 0.3 else None
        venue = self.random.choice(("Inaugural address", "State-of-the-nation address", "Press conference", None))
        return {"date": date, "sources": tuple(self.sources(date, slug)), "quote": quote, "venue": venue}

    def rating(self, date: PartialDate) -> dict[str, Any]:
        return {"date": date, "verdict": self.random.choice(VERDICTS[:4]),
                "rationale": "The law was signed but keeps prior approval in all but name.",
                "by": self.random.choice(("A. Researcher", "Ж. Исаева", None))}

    def event(self, country: str, promises: list[str]) -> EventFiles:
        date = self.date(*self.years)
        kind = self.random.choice(EVENT_KINDS)
        number = self.random.choice((3, 12, 40, 100, 250))
        place = self.random.choice(PLACES)
        title = HAPPENINGS[kind].format(n=number, place=place)
        ident = self.unique(self.derived(country, date, title))
        counts = {name: self.random.randint(0, number) for name in self.random.sample(COUNTS[:3], 2)} \
            if kind in ("detention", "fine", "violence") else {}
        linked = self.random.sample(promises, min(len(promises), self.random.choice((1, 1, 2, 2, 3, 4))))
        stances = self.random.choices(tuple(STANCE_WEIGHTS), weights=tuple(STANCE_WEIGHTS.values()), k=len(linked))
        # add-event writes links grouped by stance, in the order of its stance options.
        pairs = sorted(zip(linked, stances, strict=True), key=lambda pair: STANCE_ORDER[pair[1]])
        fields = clean({
            "id": ident, "country": country, "date": date, "title": title, "kind": kind, "location": place,
            "severity": self.random.randint(1, 5), "sources": tuple(self.sources(date, ident)),
            "notes": "Lawyers were denied access.\nRelatives were told only after two days."
            if self.random.random() < 0.2 else None,
            "counts": counts})
        if self.old_layout:
            fields["links"] = [{"promise": p, "stance": s} for p, s in pairs]
            return EventFiles(str(self.root / country.lower() / "events" / f"{date.year:04d}" / f"{ident}.toml"), 3,
                              fields, [])
        folder, depth = self.event_folder(country, date)
        return EventFiles(f"{folder}/{ident}.toml", depth, fields, [(self.homes[p], s) for p, s in pairs])

    def event_folder(self, country: str, date: PartialDate) -> tuple[str, int]:
        """layout's folder for events of this country and date, and the depth of a file in it; once per folder."""
        key = (country, date.year, date.month)
        found = self.folders.get(key)
        if found is None:
            path = layout.event_path(self.root, country, date, "file")
            found = self.folders[key] = (str(path.parent), layout.depth(path.relative_to(self.root).parts))
        return found


class Writer:
    """Renders chosen records with tracker.store's functions and writes them: in this process, or in
    each forked worker. It remembers the folders it has made, and builds paths as strings."""

    def __init__(self, root: Path, old_layout: bool) -> None:
        self.old_layout = old_layout
        self.made = {str(root)}  # folders known to exist
        self.links: dict[str, str] = {}  # each promise's folder of links
        self.headers: dict[int, str] = {}  # an event's schema line, by its depth
        self.stances: dict[str, str] = {}  # a link's text, by its stance

    def put(self, record: PromiseFiles | EventFiles) -> None:
        if isinstance(record, PromiseFiles):
            self.promise(record)
        else:
            self.event(record)

    def promise(self, record: PromiseFiles) -> None:
        path, fields, additions = record
        if self.old_layout:
            self.write(path, render_document(fields, schema.header("promise"))
                       + "".join(table_entry(key, entry) for key, entry in additions))
            return
        self.write(path, render_document(fields, schema.header("promise")))
        for key, entry in additions:
            text = part_text(entry)
            kind = key[:-1]
            slug = (entry.get("venue") or "") if kind == "statement" else entry["verdict"]
            self.write(str(layout.part_path(Path(path), kind, entry["date"], slug, text)), text, exist_ok=True)

    def event(self, record: EventFiles) -> None:
        header = self.headers.get(record.depth)
        if header is None:
            header = self.headers[record.depth] = schema.header("event", record.depth)
        self.write(record.path, render_document(record.fields, header))
        ident = record.fields["id"]
        for home, stance in record.links:
            text = self.stances.get(stance)
            if text is None:
                text = self.stances[stance] = part_text({"stance": stance})
            self.write(self.link_path(home, ident), text)

    def link_path(self, home: str, event: str) -> str:
        """layout.link_path(home, event), as a string: the promise's links folder / shard / event.toml."""
        folder = self.links.get(home)
        if folder is None:
            folder = self.links[home] = str(layout.link_path(Path(home), event).parent.parent)
        return f"{folder}/{layout.shard(event)}/{event}.toml"

    def write(self, path: str, text: str, exist_ok: bool = False) -> None:
        """Written as store writes a record (UTF-8, LF), without the per-file fsync a fresh scratch corpus needs not.

        exist_ok: the same fact written twice (a restatement repeated word for word) is one file, as in git."""
        self.make(os.path.dirname(path))
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            if not exist_ok:
                raise
            return
        try:
            data = memoryview(text.encode("utf-8"))
            while data:
                data = data[os.write(handle, data):]
        finally:
            os.close(handle)

    def make(self, folder: str) -> None:
        """The folder and any missing above it, made once (another worker may make it at the same moment)."""
        if folder and folder not in self.made:  # "": the current folder, when the records are "."
            os.makedirs(folder, exist_ok=True)
            self.made.add(folder)


_writer: Writer | None = None  # the forked workers' own (inherited, then each keeps its own folders)


def _write_chunk(records: list[PromiseFiles | EventFiles]) -> None:
    assert _writer is not None  # set before the pool forks
    for record in records:
        _writer.put(record)


def write_all(records: Iterator[PromiseFiles | EventFiles], writer: Writer, processes: int) -> None:
    """Every record written, by this process alone or by forked workers taking chunks of them in turn.

    The records are chosen in this process, in order, while the workers render and write earlier ones:
    the choices (and so the bytes) do not depend on the number of processes."""
    global _writer
    if processes <= 1:
        for record in records:
            writer.put(record)
        return
    import multiprocessing

    _writer = writer
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for _ in pool.imap_unordered(_write_chunk, chunked(records, CHUNK)):
                pass
    finally:
        _writer = None


def chunked(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def generate(root: Path, promises: int, events: int, countries: int, seed: int, old_layout: bool = False,
             years: tuple[int, int] = (FIRST_YEAR, LAST_YEAR)) -> None:
    """A records directory at root with the given number of promises and events over `countries` countries.

    On Linux, with 4,000 records or more, every core writes (TRACKER_JOBS sets the number of processes)."""
    generator = Generator(seed, root, old_layout, years)
    codes = sorted(generator.random.sample(sorted(countries_by_alpha2), countries))
    # A few countries hold most of the records, as in real monitoring: weights fall off as 1/rank.
    weights = [1 / rank for rank in range(1, len(codes) + 1)]
    init_records(root)
    owners = codes[:promises] + generator.random.choices(codes, weights=weights, k=max(0, promises - len(codes)))

    def records() -> Iterator[PromiseFiles | EventFiles]:
        by_country: dict[str, list[str]] = {}
        for country in owners:
            ident, record = generator.promise(country)
            by_country.setdefault(country, []).append(ident)
            yield record
        places = sorted(by_country)
        for country in generator.random.choices(places, weights=[len(by_country[c]) for c in places], k=events):
            yield generator.event(country, by_country[country])

    write_all(records(), Writer(root, old_layout), parallel.jobs(promises + events))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="where to write the records (must not exist yet)")
    parser.add_argument("--promises", type=int, default=2000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--countries", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", default=f"{FIRST_YEAR}-{LAST_YEAR}", metavar="FIRST-LAST",
                        help="the years the events fall in, such as 2019-2019")
    parser.add_argument("--old-layout", action="store_true",
                        help="write the layout before one file per fact, to test `tracker migrate`")
    args = parser.parse_args(argv)
    if args.directory.exists() and any(args.directory.iterdir()):
        parser.error(f"{args.directory} exists and is not empty; give a new directory")
    if not 1 <= args.countries <= len(countries_by_alpha2) or args.promises < 1 or args.events < 0:
        parser.error(f"need 1 to {len(countries_by_alpha2)} countries, at least one promise, "
                     "and no fewer than 0 events")
    first, _, last = args.years.partition("-")
    if not (first.isdigit() and last.isdigit() and int(first) <= int(last)):
        parser.error(f"--years {args.years}: give two years, such as 2019-2019")
    generate(args.directory, args.promises, args.events, args.countries, args.seed, args.old_layout,
             (int(first), int(last)))
    print(f"{args.directory}: {args.promises} promises and {args.events} events in {args.countries} countries",
          file=sys.stderr)


if __name__ == "__main__":
    main()
