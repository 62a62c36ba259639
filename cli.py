"""The `tracker` command line: parse options, call the core, pick a renderer."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

from tracker import __version__
from tracker.dates import DateError, PartialDate, parse_date, parse_day
from tracker.model import COUNTS, STANCES, VERDICTS, Records

FORMATS = ("table", "json", "csv", "markdown")


# ---------------------------------------------------------------------------
# Option types: bad input is a usage error (exit 2) naming the option.

class DateType(click.ParamType):
    name = "DATE"

    def __init__(self, full: bool = False) -> None:
        self.full = full

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, (PartialDate, dt.date)):
            return value
        try:
            return parse_day(value) if self.full else parse_date(value)
        except DateError as error:
            self.fail(str(error), param, ctx)


class CheckedText(click.ParamType):
    """Text that a check function from the core accepts (it returns why not, or None)."""

    def __init__(self, name: str, check_name: str, upper: bool = False) -> None:
        self.name, self.check_name, self.upper = name, check_name, upper

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from tracker import validate

        why = getattr(validate, self.check_name)(value)
        if why:
            self.fail(why, param, ctx)
        return value.upper() if self.upper else value


DATE, DAY = DateType(), DateType(full=True)
COUNTRY = CheckedText("CC", "check_country", upper=True)
SLUG = CheckedText("ID", "check_slug")
URL = CheckedText("URL", "check_url")
SEVERITY = click.IntRange(1, 5)


# ---------------------------------------------------------------------------
# Shared state and helpers.

@dataclass
class App:
    root: Path
    color: bool | None

    @functools.cached_property
    def terminal(self):  # -> tracker.terminal.Terminal
        from tracker.terminal import Terminal

        return Terminal(self.color)

    def load(self, as_of: dt.date, strict: bool = True) -> Records:
        """load → validate; with strict, any error stops the command (exit 1) after printing every one."""
        from tracker.validate import load_records

        records = load_records(self.root, as_of)
        if strict and records.errors:
            for problem in records.problems:
                self.terminal.problem(problem)
            fail(f"{len(records.errors)} error(s) in {self.root}; nothing was reported. "
                 "Fix them (`tracker check` lists them) and run again.")
        return records

    def written(self, ident: str, path: Path, what: str) -> None:
        """A write command's closing words: the message on stderr, the ID alone on stdout's last line."""
        self.terminal.message(f"{what} {path}")
        click.echo(ident)


def fail(message: str, code: int = 1) -> None:
    from tracker.terminal import safe

    click.echo(f"error: {safe(message)}", err=True)
    sys.exit(code)


def need(value: Any, option: str, prompt: str, kind: Any = str) -> Any:
    """A required option: prompted for on a terminal, a usage error (exit 2) elsewhere."""
    if value not in (None, ""):
        return value
    if sys.stdin.isatty():
        return click.prompt(prompt, type=kind, err=True)
    raise click.UsageError(f"Missing option '{option}'.")


def format_option(*choices: str, default: str = "table") -> Callable:
    """The one --format option every command that prints data shares."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format: a table for people, or " + ", ".join(c for c in choices if c != "table")
                        + " for other tools.")


def as_of_option(help_text: str = "Report as things stood at the end of this day (YYYY-MM-DD).") -> Callable:
    return click.option("--as-of", type=DAY, default=None, help=help_text + " Default: today.")


class TrackerGroup(click.Group):
    """Turns the core's refusals into one clear line and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from tracker.load import RecordsError
        from tracker.store import StoreError

        try:
            return super().invoke(ctx)
        except (RecordsError, StoreError) as error:
            fail(str(error))
        except OSError as error:
            fail(f"{error.filename or ''}: {error.strerror}")


# ---------------------------------------------------------------------------
# Commands.

@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--records", "root", type=click.Path(file_okay=False, path_type=Path), default="records",
              envvar="TRACKER_RECORDS", show_default=True, show_envvar=True,
              help="The records directory.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on for a terminal, "
              "off when piped or when NO_COLOR is set).")
@click.version_option(__version__, "--version", prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, root: Path, color: bool | None) -> None:
    """Hold officials to their word: record pledges and events, and score whether promises are kept.

    Each promise and each event is a small TOML file under the records directory.

    \b
    Examples:
      tracker init records
      tracker report --country KZ
      tracker report --as-of 2019-09-30 --format json
      tracker check
    """
    ctx.obj = App(root, color)


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def init(app: App, directory: Path | None) -> None:
    """Create a records directory with a tracker.toml of default settings.

    DIRECTORY defaults to --records. An existing tracker.toml is never overwritten.

    \b
    Examples:
      tracker init
      tracker init ~/kazakhstan-records
    """
    from tracker.store import init_records

    root = directory or app.root
    init_records(root)
    app.terminal.message(f"Created {root / 'tracker.toml'}")


@cli.command("add-promise")
@click.option("--country", type=COUNTRY, help="ISO 3166-1 alpha-2 code, such as KZ.")
@click.option("--official", help="The person who made the pledge.")
@click.option("--title", help="The pledge in one line.")
@click.option("--date", type=DATE, help="When it was made: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--id", "ident", type=SLUG, help="The record's ID (default: derived from country, date and title).")
@click.option("--office", help="The official's office, such as President.")
@click.option("--text", help="The pledge in full.")
@click.option("--quote", help="The words used, quoted from the source.")
@click.option("--venue", help="Where it was said, such as an inaugural address.")
@click.option("--source", "sources", type=URL, multiple=True, help="A source URL (repeatable).")
@click.option("--deadline", type=DATE, help="The date by which it was to be kept.")
@click.option("--topic", "topics", multiple=True, help="A topic tag (repeatable).")
@click.pass_obj
def add_promise(app: App, country: str | None, official: str | None, title: str | None, date: PartialDate | None,
                ident: str | None, office: str | None, text: str | None, quote: str | None, venue: str | None,
                sources: tuple[str, ...], deadline: PartialDate | None, topics: tuple[str, ...]) -> None:
    """Record a new promise and the statement that made it.

    \b
    Example:
      tracker add-promise --country KZ --official "Kassym-Jomart Tokayev" \\
        --office President --title "Reform the law on peaceful assemblies" \\
        --date 2019-06 --id kz-assembly-law --topic assembly \\
        --source https://www.hrw.org/news/2019/09/24/mass-arrests-cast-doubt-rights-reform-kazakhstan
    """
    from tracker.store import add_promise as write

    country = need(country, "--country", "Country (ISO code)", COUNTRY)
    official = need(official, "--official", "Official")
    title = need(title, "--title", "Title")
    date = need(date, "--date", "Date (YYYY, YYYY-MM or YYYY-MM-DD)", DATE)
    ident, path = write(app.root, country=country, official=official, title=title, date=date, ident=ident,
                        office=office, text=text, quote=quote, venue=venue, sources=sources, deadline=deadline,
                        topics=topics)
    app.written(ident, path, "Wrote")


@cli.command()
@click.argument("promise_id", type=SLUG, metavar="ID")
@click.option("--date", type=DATE, help="When it was restated.")
@click.option("--source", "sources", type=URL, multiple=True, help="A source URL (repeatable).")
@click.option("--quote", help="The words used.")
@click.option("--venue", help="Where it was said.")
@click.pass_obj
def restate(app: App, promise_id: str, date: PartialDate | None, sources: tuple[str, ...], quote: str | None,
            venue: str | None) -> None:
    """Record that a promise was made again ("announced in June, repeated in September").

    \b
    Example:
      tracker restate kz-assembly-law --date 2019-09-02 \\
        --venue "State-of-the-nation address" --source https://www.hrw.org/...
    """
    from tracker.store import append_to_promise

    date = need(date, "--date", "Date", DATE)
    path = append_to_promise(app.root, promise_id, "statements",
                             {"date": date, "sources": sources, "quote": quote, "venue": venue})
    app.written(promise_id, path, "Added a statement to")


@cli.command("add-event")
@click.option("--country", type=COUNTRY, help="ISO 3166-1 alpha-2 code, such as KZ.")
@click.option("--date", type=DATE, help="When it happened: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--title", help="What happened, in one line.")
@click.option("--id", "ident", type=SLUG, help="The record's ID (default: derived from country, date and title).")
@click.option("--kind", type=SLUG, help="detention, fine, violence, legal-change, statement, permitted-protest, ...")
@click.option("--location", help="Where it happened.")
@click.option("--severity", type=SEVERITY, help="Gravity from 1 to 5 (default 1).")
@click.option("--source", "sources", type=URL, multiple=True, help="A source URL (repeatable).")
@click.option("--notes", help="Free notes.")
@click.pass_obj
def add_event(app: App, country: str | None, date: PartialDate | None, title: str | None, ident: str | None,
              kind: str | None, location: str | None, severity: int | None, sources: tuple[str, ...],
              notes: str | None, **options: Any) -> None:
    """Record an event and link it to the promises it bears on.

    Each stance option names a promise ID and may be repeated.

    \b
    Example:
      tracker add-event --country KZ --date 2019-09-21 --kind detention \\
        --title "About 100 detained at an opposition rally in Almaty" \\
        --detained 100 --fined 15 --severity 3 --contradicts kz-assembly-law \\
        --source https://www.hrw.org/news/2019/09/24/mass-arrests-cast-doubt-rights-reform-kazakhstan
    """
    from tracker.store import add_event as write

    country = need(country, "--country", "Country (ISO code)", COUNTRY)
    date = need(date, "--date", "Date (YYYY, YYYY-MM or YYYY-MM-DD)", DATE)
    title = need(title, "--title", "Title")
    counts = {name: value for name in COUNTS if (value := options.pop(name)) is not None}
    links = [(options_name.replace("_", "-"), promise) for options_name, ids in options.items() for promise in ids]
    ident, path = write(app.root, country=country, date=date, title=title, ident=ident, kind=kind,
                        location=location, severity=severity, sources=sources, notes=notes, counts=counts,
                        links=links)
    app.written(ident, path, "Wrote")


for _count in COUNTS:
    add_event = click.option(f"--{_count}", type=click.IntRange(min=0), help=f"How many people were {_count}.")(add_event)
for _stance in STANCES:
    add_event = click.option(f"--{_stance}", _stance.replace("-", "_"), type=SLUG, multiple=True, metavar="ID",
                             help=f"Link: {STANCES[_stance][2]}.")(add_event)


@cli.command()
@click.argument("promise_id", type=SLUG, metavar="ID")
@click.option("--verdict", type=click.Choice(VERDICTS), help="The editorial verdict.")
@click.option("--date", type=DATE, help="When the verdict was reached.")
@click.option("--rationale", help="Why, in a sentence or two.")
@click.option("--by", help="Who rated it.")
@click.pass_obj
def rate(app: App, promise_id: str, verdict: str | None, date: PartialDate | None, rationale: str | None,
         by: str | None) -> None:
    """Give a promise an editorial verdict; it overrides the computed one from its date on.

    \b
    Example:
      tracker rate kz-assembly-law --verdict compromise --date 2020-05-25 \\
        --rationale "A new law was signed, but it keeps prior approval" --by "A. Researcher"
    """
    from tracker.store import append_to_promise

    verdict = need(verdict, "--verdict", "Verdict", click.Choice(VERDICTS))
    date = need(date, "--date", "Date", DATE)
    rationale = need(rationale, "--rationale", "Rationale")
    path = append_to_promise(app.root, promise_id, "ratings",
                             {"date": date, "verdict": verdict, "rationale": rationale, "by": by})
    app.written(promise_id, path, "Added a rating to")


@cli.command("list")
@click.argument("what", type=click.Choice(["promises", "events"]), default="promises")
@click.option("--country", type=COUNTRY, help="Only this country.")
@format_option("table", "json", "csv")
@click.pass_obj
def list_records(app: App, what: str, country: str | None, fmt: str) -> None:
    """List promises (the default) or events.

    \b
    Examples:
      tracker list
      tracker list events --country KZ
      tracker list events --format csv > events.csv
    """
    from tracker import render

    records = app.load(dt.date.today(), strict=False)
    if records.errors:
        app.terminal.message(f"note: {len(records.errors)} record(s) with errors are left out; run `tracker check`")
    if what == "promises":
        rows = [render.promise_dict(p) | {"made": str(p.made)} for p in records.promises]
        columns = ["id", "country", "official", "made", "title"]
    else:
        rows = [render.event_dict(e) | {"links": len(e.links)} for e in records.events]
        columns = ["id", "date", "country", "kind", "title", "links"]
    rows = sorted((r for r in rows if country is None or r["country"] == country), key=lambda r: r["id"])
    emit(app, fmt, rows, columns, lambda console: render.list_table(rows, columns, console))


def emit(app: App, fmt: str, data: Any, columns: list[str], table: Callable) -> None:
    """Print data in the chosen format; the one place formats are dispatched."""
    from tracker import render

    if fmt == "table":
        table(app.terminal.out)
    elif fmt == "json":
        app.terminal.data(render.to_json(data))
    elif fmt == "csv":
        app.terminal.data(render.to_csv(data, columns))
    else:
        app.terminal.data(render.to_markdown(data, columns))


@cli.command()
@click.argument("record_id", type=SLUG, metavar="ID")
@as_of_option("Show the promise as it stood at the end of this day (YYYY-MM-DD).")
@format_option("table", "json")
@click.pass_obj
def show(app: App, record_id: str, as_of: dt.date | None, fmt: str) -> None:
    """Show a promise or an event in full.

    For a promise: its statements, linked events with their stances and weights, and ratings, in date order,
    then its verdict and why.

    \b
    Examples:
      tracker show kz-assembly-law
      tracker show kz-assembly-law --as-of 2019-06-30
      tracker show kz-2019-09-21-dvk-rally --format json
    """
    from tracker import render
    from tracker.score import assess, links_by_promise

    as_of = as_of or dt.date.today()
    records = app.load(as_of)
    promise = next((p for p in records.promises if p.id == record_id), None)
    event = next((e for e in records.events if e.id == record_id), None)
    if promise:
        assessment = assess(promise, links_by_promise(records).get(promise.id, []), records.config, as_of)
        if assessment is None:
            fail(f"{record_id} had not been made by {as_of}")
        data = render.promise_dict(promise) | {"assessment": render.assessment_dict(assessment)}
        emit(app, fmt, data, [], lambda console: render.promise_detail(assessment, console))
    elif event:
        emit(app, fmt, render.event_dict(event), [], lambda console: render.event_detail(event, console))
    else:
        fail(f"no promise or event has the ID {record_id!r} in {app.root}")


@cli.command()
@click.option("--country", type=COUNTRY, help="Only promises of this country.")
@click.option("--official", help="Only promises by officials whose name contains this (any case).")
@click.option("--topic", help="Only promises with this topic tag.")
@as_of_option()
@format_option(*FORMATS)
@click.pass_obj
def report(app: App, country: str | None, official: str | None, topic: str | None, as_of: dt.date | None,
           fmt: str) -> None:
    """Score every promise and print its verdict, with a tally per verdict.

    The report refuses (exit 1) if any record is invalid: it never scores partial data.

    \b
    Examples:
      tracker report --country KZ
      tracker report --as-of 2019-09-30
      tracker report --topic assembly --format markdown > report.md
      tracker report --format json | jq '.summary'
    """
    from tracker import render
    from tracker.score import report as score

    as_of = as_of or dt.date.today()
    assessments = score(app.load(as_of), as_of, country, official, topic)
    filters = {"country": country, "official": official, "topic": topic}
    if fmt == "json":
        app.terminal.data(render.to_json(render.report_dict(assessments, as_of, filters)))
    else:
        emit(app, fmt, render.report_rows(assessments), list(render.CSV_COLUMNS),
             lambda console: render.report_table(assessments, console))


@cli.command()
@as_of_option("Warn about dates after this day (YYYY-MM-DD).")
@click.pass_obj
def check(app: App, as_of: dt.date | None) -> None:
    """Validate every record; print each problem as path:line: message.

    Exits 1 if there are errors; warnings alone (unknown fields, future dates) exit 0.

    \b
    Examples:
      tracker check
      tracker --records ~/kazakhstan-records check
    """
    records = app.load(as_of or dt.date.today(), strict=False)
    for problem in records.problems:
        app.terminal.problem(problem)
    errors, warnings = len(records.errors), len(records.problems) - len(records.errors)
    summary = (f"{len(records.promises)} promises and {len(records.events)} events checked: "
               f"{errors} error(s), {warnings} warning(s)")
    app.terminal.message(summary)
    if errors:
        sys.exit(1)


def main() -> None:
    cli(prog_name="tracker")


if __name__ == "__main__":
    main()
