"""The `tracker` command line: parse options, call the core, pick a renderer."""

from __future__ import annotations

import datetime as dt
import functools
import shlex
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from tracker import __version__
from tracker.errors import RevisionError, TrackerError, worded
from tracker.vocabulary import COUNTS, EVENT_KINDS, MAX_COUNT, STANCES, VERDICTS

if TYPE_CHECKING:
    from tracker.dates import PartialDate
    from tracker.model import Promise, Records
    from tracker.terminal import Terminal

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

FORMATS = ("table", "json", "csv", "markdown")

# The library's messages name an option by its name in Python; here, the one place it becomes the flag a
# person types. A name not listed is its flag as it stands (status_field: --status-field).
FLAGS = {"fields": "--field", "fixed": "--set", "statuses": "--status", "links": "--link", "keys": "--key",
         "maps": "--map", "json_path": "--path", "ident": "--id"}


def flag(name: str, value: str = "") -> str:
    """The flag for a library option's name, with its value where one is given."""
    return FLAGS.get(name, "--" + name.replace("_", "-")) + (f" {value}" if value else "")


def said(error: TrackerError) -> str:
    """A library error's message as the command line words it: options as flags."""
    return worded(error.message, flag)


# ---------------------------------------------------------------------------
# Option types: bad input is a usage error (exit 2) naming the option.

class DateType(click.ParamType):  # type: ignore[type-arg]  # ParamType takes type arguments only from click 8.5
    """A date as YYYY, YYYY-MM or YYYY-MM-DD; with `day`, one day: a year or a month means its last day,
    as a partial date does everywhere in the method."""

    name = "DATE"

    def __init__(self, day: bool = False) -> None:
        self.day = day

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        # Imported here, not above: the dates module builds a dataclass, which `--version` need not pay for.
        from tracker.dates import DateError, PartialDate, parse_date

        if isinstance(value, (PartialDate, dt.date)):
            return value
        try:
            parsed = parse_date(value)
        except DateError as error:
            self.fail(str(error), param, ctx)
        return parsed.last if self.day else parsed


class CheckedText(click.ParamType):  # type: ignore[type-arg]  # ParamType takes type arguments only from click 8.5
    """Text that a check function from the core accepts (it returns why not, or None)."""

    def __init__(self, name: str, check_name: str, upper: bool = False, complete: str | None = None,
                 lower: bool = False) -> None:
        self.name, self.check_name, self.upper, self.complete, self.lower = name, check_name, upper, complete, lower

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from tracker import validate
        from tracker.terminal import safe

        check = getattr(validate, self.check_name)
        if self.lower and value != value.lower() and check(value) and not check(value.lower()):
            # IDs are lowercase file names; KZ-Assembly-Law can only mean one thing.
            click.echo(f"note: IDs are lowercase; reading {safe(value)} as {safe(value.lower())}", err=True)
            value = value.lower()
        why = check(value)
        if why:
            self.fail(why, param, ctx)
        return value.upper() if self.upper else value

    def shell_complete(self, ctx: click.Context, param: Any, incomplete: str) -> list[Any]:
        """Tab completion: the IDs in the records directory (--records, as given before), or country codes."""
        from click.shell_completion import CompletionItem

        from tracker.complete import candidates

        if self.complete is None:
            return []
        app = ctx.find_object(App)
        root = app.root if app else Path("records")
        return [CompletionItem(value, help=help) for value, help in candidates(self.complete, root, incomplete)]


class CountryType(CheckedText):
    """An alpha-2, alpha-3 or numeric ISO code or a country's name (USA, "United Kingdom"), as alpha-2."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from tracker import countries, validate

        code = countries.resolve(value)
        if code is None:
            close = countries.suggestion(value)
            self.fail(f"{validate.check_country(value)}" + (f"; did you mean {close}?" if close else ""), param, ctx)
        return code


DATE, DAY = DateType(), DateType(day=True)
COUNTRY = CountryType("CC", "check_country", upper=True, complete="country")
SLUG = CheckedText("ID", "check_slug", lower=True)
PROMISE_ID = CheckedText("ID", "check_slug", complete="promise", lower=True)
RECORD_ID = CheckedText("ID", "check_slug", complete="record", lower=True)
URL = CheckedText("URL", "check_url")
SEVERITY = click.IntRange(1, 5)


# ---------------------------------------------------------------------------
# Shared state and helpers.

class App:
    """What the global options chose; they may come before the command name or after it.

    A plain class, not a dataclass: building dataclasses is part of what `tracker --version` need not pay for."""

    def __init__(self) -> None:
        self.given_root: Path | None = None  # --records or TRACKER_RECORDS
        self.color: bool | None = None
        self.cache = True

    @functools.cached_property
    def root(self) -> Path:
        """The records directory: as given, else ./records, else the one the current folder is in."""
        from tracker.load import find_records

        return self.given_root or find_records(Path.cwd(), Path("records"))

    @functools.cached_property
    def terminal(self) -> Terminal:
        from tracker.terminal import Terminal

        return Terminal(self.color)

    def load(self, as_of: dt.date, strict: bool = True, at: str | None = None, whole: bool = True) -> Records:
        """load → validate (from the files, or from git at a revision); with strict, any error stops the
        command (exit 1) after printing every one. whole=False, for a command that shows no event's own
        fields, lets a warm load read events cut to what scoring needs (tracker.validate.load_records)."""
        import gc

        from tracker.gitrepo import records_at
        from tracker.validate import load_records

        # A command's records live until it exits; the cycle collector would only rescan them, again and
        # again (over half the time of a report at 100,000 events), so it stays off for the command.
        if gc.isenabled():
            gc.disable()
            click.get_current_context().call_on_close(gc.enable)
        if at:
            records = records_at(self.root, at, as_of)
        else:
            from tracker.cache import few_collections

            with few_collections():  # the command's records live until it exits: set aside from the collector
                records = load_records(self.root, as_of, cache=self.cache, progress=self.terminal.progress,
                                       whole=whole, defer=_meanwhile)
        if strict:
            self.show_problems(records, as_of)
        if strict and records.errors:
            where = f"{self.root} at {at}" if at else self.root
            fail(f"{plural(len(records.errors), 'error')} in {where}; nothing was reported. Fix "
                 + ("them" if at else "them (`tracker check` lists them)") + " and run again.")
        return records

    def show_problems(self, records: Records, as_of: dt.date) -> None:
        """Every problem in full, but records dated after the as-of date in one line: looking at the past,
        they are expected. Warnings are shown too (an unknown field may be a misspelt one that changes a score)."""
        from tracker.validate import after_as_of

        later = {problem.path for problem in records.problems if after_as_of(problem)}
        for problem in records.problems:
            if not after_as_of(problem):
                self.terminal.problem(problem)
        if later:
            self.terminal.message(f"note: {plural(len(later), 'record')} dated after {as_of} "
                                  f"{'is' if len(later) == 1 else 'are'} not counted "
                                  f"(`tracker check --as-of {as_of}` lists them)")

    def will_commit(self, commit: bool | None) -> bool:
        """Whether a write is to be committed (--commit, else auto_commit in tracker.toml).

        Called before anything is written: outside a git work tree it refuses, so nothing is.
        """
        from tracker.validate import load_config

        if commit is None:
            commit = load_config(self.root)[0].auto_commit if (self.root / "tracker.toml").is_file() else False
        if commit:
            from tracker.gitrepo import require_work_tree  # only a write that commits pays for git's modules

            require_work_tree(self.root)
        return commit

    def commit(self, paths: list[Path], message: str, root: Path | None = None) -> None:
        """Commit exactly the files a command wrote; a refusal by git leaves them written, and says so.

        The schema files that a written record names in its first line go with it (unchanged ones add nothing).
        """
        from tracker.gitrepo import GitError, commit_paths
        from tracker.store import schema_files

        try:
            sha = commit_paths(root or self.root, [*paths, *schema_files(root or self.root)], message)
        except GitError as error:
            fail(f"wrote {', '.join(map(str, paths))} but did not commit it: {said(error)}")
        self.terminal.message(f"Committed {sha[:10]} {message.splitlines()[0]}")

    def write(self, commit: bool | None, write: Callable[[], tuple[Any, ...]], what: str,
              message: Callable[[str], str], derived_from: str | None = None) -> None:
        """A write command's whole course: refuse early if it cannot commit, write, commit, say what was written.

        write() gives the record's ID, its file, and optionally the further files it wrote (an event's links).
        derived_from is the ID derived from the record's own fields, when no --id was given: if the
        record landed under another ID, one with those fields exists already, and the user is told.
        """
        commit = self.will_commit(commit)
        ident, path, *more = write()
        also: list[Path] = more[0] if more else []
        if commit:
            self.commit([path, *also], message(ident))
        for link in also:
            self.terminal.message(f"Wrote {link}")
        if derived_from and ident != derived_from:
            self.terminal.message(f"note: {derived_from} exists already, so this record is {ident}; "
                                  f"if it is the same one, delete {path}")
        self.written(ident, path, what)

    def written(self, ident: str, path: Path, what: str) -> None:
        """A write command's closing words: the message on stderr, the ID alone on stdout's last line."""
        self.terminal.message(f"{what} {path}")
        click.echo(ident)


def _meanwhile(work: Callable[[], object]) -> None:
    """Do work the command does not wait on (keeping a snapshot) in a child process while the command goes on;
    the command waits for it as it ends, so that the next command finds it done."""
    from tracker.parallel import in_background

    click.get_current_context().call_on_close(in_background(work))


def fail(message: str, code: int = 1) -> NoReturn:
    from tracker.terminal import safe

    click.echo(f"error: {safe(message)}", err=True)
    sys.exit(code)


def unknown_id(ident: str, known: list[str], what: str, root: Path, after: str = "") -> NoReturn:
    """Refuse an ID that names no record (exit 1), with the closest ones that do."""
    import difflib  # only a mistyped ID pays for it

    close = difflib.get_close_matches(ident, known, n=3, cutoff=0.6)
    hint = f". Did you mean {' or '.join(close)}?" if close else ""
    fail(f"no {what} has the ID {ident!r} in {root}{after}{hint}")


def require_promises(app: App, idents: list[str]) -> dict[str, Path]:
    """Every promise named on the command line exists; found by file name, before anything is written.
    The file of each, for the write, which need not look for it again."""
    from tracker.load import require_records_dir
    from tracker.store import find_record

    require_records_dir(app.root)
    files = {}
    for ident in idents:
        found = find_record(app.root, ident)
        if found is None or found[1] != "promise":
            from tracker.complete import candidates  # only a mistyped ID pays for listing every promise

            known = [value for value, _ in candidates("promise", app.root, "")]
            unknown_id(ident, known, "promise", app.root, "; nothing was written")
        files[ident] = found[0]
    return files


def refuse_before_pledge(promise: Promise, option: str) -> None:
    """Refuse a write whose date falls before the pledge was made: check would reject the record."""
    from tracker.validate import before_pledge

    for _, _, _, message in before_pledge(promise):
        fail(f"{option} {message}; nothing was written")


def promise_on_file(path: Path) -> Promise | None:
    """The promise as its file at path reads now (None if the file is not a valid promise; the write then says
    why)."""
    from tracker.model import Promise
    from tracker.validate import Checked, check_file

    result = check_file(str(path), "promise")
    record = result.record if isinstance(result, Checked) else result
    return record if isinstance(record, Promise) else None


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class Needed(click.Option):
    """An option the command cannot do without. It is not Click's `required`: on a terminal a missing one
    is asked for; elsewhere every missing one is named in one usage error (see TrackerCommand)."""

    def __init__(self, *args: Any, ask: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ask = ask

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        return (record[0], f"{record[1]}  [required]".lstrip()) if record else None


def needed(*decls: str, ask: str, **attrs: Any) -> Decorator:
    """A required option (see Needed); `ask` is the prompt on a terminal."""
    return click.option(*decls, cls=Needed, ask=ask, **attrs)


def names_of(options: list[str]) -> str:
    quoted = [f"'{option}'" for option in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


class TrackerCommand(click.Command):
    """Fills in the Needed options before the command runs: asked for on a terminal; in a script, one usage
    error (exit 2) names every one that is missing."""

    def invoke(self, ctx: click.Context) -> Any:
        wanted = [p for p in self.params if isinstance(p, Needed) and p.name]
        for param in wanted:
            value = ctx.params.get(param.name)
            if isinstance(value, str) and value and not value.strip():
                raise click.BadParameter("must not be blank", ctx, param)
        missing = [p for p in wanted if ctx.params.get(p.name or "") in (None, "")]
        if missing and not sys.stdin.isatty():
            raise click.UsageError(f"Missing option{'s' if len(missing) > 1 else ''} "
                                   f"{names_of([p.opts[0] for p in missing])}.", ctx)
        for param in missing:
            ctx.params[param.name or ""] = click.prompt(param.ask or param.opts[0], type=param.type, err=True)
        return super().invoke(ctx)


class FormatChoice(click.Choice):  # type: ignore[type-arg]  # Choice takes type arguments only from click 8.5
    """--format's choices. `text`, the name `check` and `import` once gave `table`, is still read as `table`
    so that old scripts keep working; it is not shown."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        return super().convert("table" if value == "text" and "table" in self.choices else value, param, ctx)


def format_option(*choices: str, default: str = "table", help: str | None = None) -> Decorator:
    """The one --format option every command that prints data shares (see emit)."""
    return click.option("--format", "fmt", type=FormatChoice(choices), default=default, show_default=True,
                        help=help or "Output format: a table for people, or "
                        + ", ".join(c for c in choices if c != "table") + " for other tools.")


def commit_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The one --commit/--no-commit option every write command shares (see App.will_commit)."""
    return click.option("--commit/--no-commit", "commit", default=None,
                        help="Commit the files written to git (with the schema files they name), and nothing "
                        "else that is staged (default: auto_commit in tracker.toml, else no).")(command)


def as_of_option(help_text: str = "Report as things stood at the end of this day (YYYY-MM-DD).") -> Decorator:
    return click.option("--as-of", type=DAY, default=None,
                        help=help_text + " A year or a month (YYYY, YYYY-MM) means its last day. Default: today.")


class TrackerGroup(click.Group):
    """Turns the core's refusals into one clear line and exit 1, never a traceback; Ctrl-C into one line
    and exit 130, the shell's code for it."""

    command_class = TrackerCommand
    group_class = type  # `import` is a TrackerGroup too

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RevisionError as error:
            fail(said(error), 2)  # a revision named on the command line: a usage error
        except TrackerError as error:
            fail(said(error))
        except OSError as error:
            fail(f"{error.filename}: {error.strerror}" if error.filename and error.strerror else str(error))
        except KeyboardInterrupt:
            interrupted()
        except click.Abort as error:
            if isinstance(error.__context__, KeyboardInterrupt):  # Ctrl-C at a prompt
                interrupted()
            raise


def interrupted() -> None:
    fail("interrupted (Ctrl-C)", 130)


def set_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep a global option in the App, whether it came before the command name or after it. After it, the
    option has no default and no environment variable, so it is None (--no-cache: False) unless typed."""
    app = ctx.ensure_object(App)
    if param.name == "root" and value is not None:
        app.given_root = value
    elif param.name == "color" and value is not None:
        app.color = value
    elif param.name == "no_cache" and value:
        app.cache = False


def global_options(on_group: bool) -> list[click.Option]:
    """--records, --color/--no-color and --no-cache: defined once, for the group and for every command."""
    return [
        click.Option(["--records", "root"], type=click.Path(file_okay=False, path_type=Path), default=None,
                     envvar="TRACKER_RECORDS" if on_group else None, show_envvar=on_group, expose_value=False,
                     callback=set_global, help="The records directory (default: ./records, else the records "
                     "directory the current folder is in, found as git finds its repository)."),
        click.Option(["--color/--no-color"], default=None, expose_value=False, callback=set_global,
                     help="Force colour on or off (default: on for a terminal, off when piped or when NO_COLOR "
                     "is set)."),
        click.Option(["--no-cache"], is_flag=True, default=False, expose_value=False, callback=set_global,
                     help="Parse every record file again, without reading or writing the parse cache "
                     "(RECORDS/.tracker-cache)."),
    ]


def spread_global_options(group: click.Group) -> None:
    """Every command below the group takes the global options after its name too."""
    for command in group.commands.values():
        command.params.extend(global_options(on_group=False))
        if isinstance(command, click.Group):
            spread_global_options(command)


# ---------------------------------------------------------------------------
# Commands.

@click.group(cls=TrackerGroup, params=global_options(on_group=True),
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Hold officials to their word: record pledges and events, and score whether promises are kept.

    Each promise and each event is a small TOML file under the records directory.

    \b
    Examples:
      tracker init records
      tracker report --country KZ
      tracker report --as-of 2019-09-30 --format json
      tracker check
      tracker report --no-cache
      tracker report --records ~/kazakhstan-records

    The global options (--records, --color/--no-color, --no-cache) may also follow the command name.
    """
    ctx.ensure_object(App)


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--git", "git", is_flag=True, help="Also run `git init` there (unless it is already in a repository) "
              "and commit the tracker.toml.")
@click.pass_obj
def init(app: App, directory: Path | None, git: bool) -> None:
    """Create a records directory with a tracker.toml of default settings.

    DIRECTORY defaults to --records. An existing tracker.toml is never overwritten. A .gitignore
    keeps the parse cache (.tracker-cache/) out of git. With --git, an existing records directory is
    put in git as it is and committed whole.

    \b
    Examples:
      tracker init
      tracker init ~/kazakhstan-records
      tracker init --git ~/kazakhstan-records
    """
    from tracker import gitrepo
    from tracker.load import require_records_dir
    from tracker.store import init_records

    root = directory or app.root
    if git:
        gitrepo.check_git()  # before anything is written
    if git and (root / "tracker.toml").is_file():
        # An existing records directory: put it in git as it is, every file of it, in one commit.
        require_records_dir(root)
        top = gitrepo.init(root)
        app.terminal.message(f"Already in the git repository at {top}" if top
                             else f"Initialised a git repository in {root}")
        app.commit([root], f"Add the records in {root} to git", root)
        return
    created = init_records(root)
    app.terminal.message(f"Created {root / 'tracker.toml'}")
    if git:
        top = gitrepo.init(root)
        app.terminal.message(f"Already in the git repository at {top}" if top
                             else f"Initialised a git repository in {root}")
        # Committed at once, so that every later revision is a records directory that `--at` can read.
        app.commit(created, f"Start a records directory in {root}", root)
    records = "" if root == Path("records") else f" --records {shlex.quote(str(root))}"
    app.terminal.message(f"Next, record a pledge and check it:\n"
                         f"  tracker add-promise{records} --country CC --official NAME --title TEXT --date YYYY-MM-DD "
                         f"--source URL\n  tracker check{records}")


@cli.command("add-promise")
@needed("--country", type=COUNTRY, ask="Country (ISO code)", help="ISO 3166-1 alpha-2 code, such as KZ.")
@needed("--official", ask="Official", help="The person who made the pledge.")
@needed("--title", ask="Title", help="The pledge in one line.")
@needed("--date", type=DATE, ask="Date (YYYY, YYYY-MM or YYYY-MM-DD)",
        help="When it was made: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--id", "ident", type=SLUG, help="The record's ID (default: derived from country, date and title).")
@click.option("--office", help="The official's office, such as President.")
@click.option("--text", help="The pledge in full.")
@click.option("--quote", help="The words used, quoted from the source.")
@click.option("--venue", help="Where it was said, such as an inaugural address.")
@click.option("--source", "sources", type=URL, multiple=True, help="A source URL (repeatable).")
@click.option("--deadline", type=DATE, help="The date by which it was to be kept.")
@click.option("--topic", "topics", multiple=True, help="A topic tag (repeatable).")
@commit_option
@click.pass_obj
def add_promise(app: App, country: str, official: str, title: str, date: PartialDate,
                ident: str | None, office: str | None, text: str | None, quote: str | None, venue: str | None,
                sources: tuple[str, ...], deadline: PartialDate | None, topics: tuple[str, ...],
                commit: bool | None) -> None:
    """Record a new promise and the statement that made it.

    \b
    Example:
      tracker add-promise --country KZ --official "Kassym-Jomart Tokayev" \\
        --office President --title "Reform the law on peaceful assemblies" \\
        --date 2019-06 --id kz-assembly-law --topic assembly \\
        --source https://www.hrw.org/news/2019/09/24/mass-arrests-cast-doubt-rights-reform-kazakhstan
    """
    from tracker.model import Promise, Statement
    from tracker.store import add_promise as write, derive_id

    refuse_before_pledge(Promise(ident or "", country, official, title, (Statement(date),), deadline=deadline),
                         "--deadline")
    app.write(commit, lambda: write(app.root, country=country, official=official, title=title, date=date, ident=ident,
                                    office=office, text=text, quote=quote, venue=venue, sources=sources,
                                    deadline=deadline, topics=topics),
              "Wrote", lambda ident: f"Add promise {ident} ({official}, {date})\n\n{title}",
              derived_from=None if ident else derive_id(country, date, title))


@cli.command("add-term")
@needed("--country", type=COUNTRY, ask="Country (ISO code)", help="ISO 3166-1 alpha-2 code, such as US.")
@needed("--official", ask="Official", help="The official, named exactly as on their promises.")
@needed("--start", type=DATE, ask="Start (YYYY-MM-DD)", help="The first day of the term.")
@click.option("--end", type=DATE, help="The last day of the term (leave it out while the term runs).")
@click.option("--office", help="The office held, such as President.")
@click.option("--id", "ident", type=SLUG, help="The record's ID (default: derived from country, start and official).")
@click.option("--source", "sources", type=URL, multiple=True, help="A source URL (repeatable).")
@commit_option
@click.pass_obj
def add_term(app: App, country: str, official: str, start: PartialDate, end: PartialDate | None,
             office: str | None, ident: str | None, sources: tuple[str, ...], commit: bool | None) -> None:
    """Record an official's term of office, once for all their promises.

    A promise with no deadline falls due at the end of the term it was made for (or
    restated in); a re-election continues the term (see docs/method.md).

    \b
    Example:
      tracker add-term --country US --official "Barack Obama" \\
        --office "President of the United States" --start 2009-01-20 --end 2013-01-20
    """
    from tracker.store import add_term as write, derive_id

    if end is not None and end.last < start.first:
        raise click.BadParameter(f"{end} is before the start, {start}", param_hint="'--end'")
    app.write(commit, lambda: write(app.root, country=country, official=official, start=start, end=end,
                                    office=office, sources=sources, ident=ident),
              "Wrote", lambda ident: f"Add term {ident} ({official}, from {start})",
              derived_from=None if ident else derive_id(country, start, official))


@cli.command()
@click.argument("promise_id", type=PROMISE_ID, metavar="ID")
@needed("--date", type=DATE, ask="Date", help="When it was restated.")
@click.option("--source", "sources", type=URL, multiple=True, help="A source URL (repeatable).")
@click.option("--quote", help="The words used.")
@click.option("--venue", help="Where it was said.")
@commit_option
@click.pass_obj
def restate(app: App, promise_id: str, date: PartialDate, sources: tuple[str, ...], quote: str | None,
            venue: str | None, commit: bool | None) -> None:
    """Record that a promise was made again ("announced in June, repeated in September").

    \b
    Example:
      tracker restate kz-assembly-law --date 2019-09-02 \\
        --venue "State-of-the-nation address" --source https://www.hrw.org/...
    """
    from tracker.store import add_part

    promise_file = require_promises(app, [promise_id])[promise_id]
    entry = {"date": date, "sources": sources, "quote": quote, "venue": venue}
    app.write(commit, lambda: (promise_id, add_part(app.root, promise_id, "statement", entry, venue or "",
                                                    promise_file)),
              "Wrote a statement to", lambda _: f"Restate {promise_id} ({date}{', ' + venue if venue else ''})")


@cli.command("add-event")
@needed("--country", type=COUNTRY, ask="Country (ISO code)", help="ISO 3166-1 alpha-2 code, such as KZ.")
@needed("--date", type=DATE, ask="Date (YYYY, YYYY-MM or YYYY-MM-DD)",
        help="When it happened: YYYY, YYYY-MM or YYYY-MM-DD.")
@needed("--title", ask="Title", help="What happened, in one line.")
@click.option("--id", "ident", type=SLUG, help="The record's ID (default: derived from country, date and title).")
@click.option("--kind", type=SLUG, help="What sort of event, as a lowercase word of your choosing, such as "
              + ", ".join(EVENT_KINDS) + "; for filtering and display only: it does not change the score.")
@click.option("--location", help="Where it happened.")
@click.option("--severity", type=SEVERITY, help="Gravity from 1 to 5 (default 1).")
@click.option("--source", "sources", type=URL, multiple=True, help="A source URL (repeatable).")
@click.option("--notes", help="Free notes.")
@commit_option
@click.pass_obj
def add_event(app: App, /, country: str, date: PartialDate, title: str, ident: str | None,
              kind: str | None, location: str | None, severity: int | None, sources: tuple[str, ...],
              notes: str | None, commit: bool | None, **options: Any) -> None:
    """Record an event and link it to the promises it bears on.

    Each stance option names a promise ID and may be repeated.

    \b
    Example:
      tracker add-event --country KZ --date 2019-09-21 --kind detention \\
        --title "About 100 detained at an opposition rally in Almaty" \\
        --detained 100 --fined 15 --severity 3 --contradicts kz-assembly-law \\
        --source https://www.hrw.org/news/2019/09/24/mass-arrests-cast-doubt-rights-reform-kazakhstan
    """
    from tracker.store import add_event as write, derive_id

    counts = {name: value for name in COUNTS if (value := options.pop(name)) is not None}
    links = chosen_links(options)
    promise_files = require_promises(app, [promise for _, promise in links])
    stances = ", ".join(f"{stance} {promise}" for stance, promise in links)
    app.write(commit, lambda: write(app.root, country=country, date=date, title=title, ident=ident, kind=kind,
                                    location=location, severity=severity, sources=sources, notes=notes,
                                    counts=counts, links=links, promise_files=promise_files),
              "Wrote", lambda ident: f"Add event {ident}{f' ({stances})' if stances else ''}\n\n{date}: {title}",
              derived_from=None if ident else derive_id(country, date, title))


def stance_options(command: click.Command, metavar: str, help: Callable[[str], str]) -> click.Command:
    """One repeatable --STANCE PROMISE option per stance (add-event, link); see chosen_links."""
    for name, stance in STANCES.items():
        command = click.option(f"--{name}", name.replace("-", "_"), type=PROMISE_ID, multiple=True, metavar=metavar,
                               help=help(stance.meaning))(command)
    return command


def chosen_links(options: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(stance, promise ID) for each --STANCE option given, in the order of the stances."""
    return [(name.replace("_", "-"), promise) for name, ids in options.items() for promise in ids]


for _count in COUNTS:
    add_event = click.option(f"--{_count}", type=click.IntRange(min=0, max=MAX_COUNT),
                             help=f"How many people were {_count}.")(add_event)
add_event = stance_options(add_event, "ID", lambda meaning: f"Link: {meaning}.")


@cli.command()
@click.argument("promise_id", type=PROMISE_ID, metavar="ID")
@needed("--verdict", type=click.Choice(VERDICTS), ask="Verdict", help="The editorial verdict.")
@needed("--date", type=DATE, ask="Date", help="When the verdict was reached.")
@needed("--rationale", ask="Rationale", help="Why, in a sentence or two.")
@click.option("--by", help="Who rated it.")
@click.option("--source", "sources", type=URL, multiple=True, help="A source URL the verdict rests on (repeatable).")
@commit_option
@click.pass_obj
def rate(app: App, promise_id: str, verdict: str, date: PartialDate, rationale: str,
         by: str | None, sources: tuple[str, ...], commit: bool | None) -> None:
    """Give a promise an editorial verdict; it overrides the computed one from its date on.

    \b
    Example:
      tracker rate kz-assembly-law --verdict compromise --date 2020-05-25 \\
        --rationale "A new law was signed, but it keeps prior approval" --by "A. Researcher" \\
        --source https://example.org/new-assembly-law
    """
    from tracker.model import Rating
    from tracker.store import add_part

    promise_file = require_promises(app, [promise_id])[promise_id]
    promise = promise_on_file(promise_file)
    if promise:
        from dataclasses import replace

        refuse_before_pledge(replace(promise, ratings=(Rating(date, verdict, rationale, by, sources),)), "--date")
    entry = {"date": date, "verdict": verdict, "rationale": rationale, "by": by, "sources": sources}
    app.write(commit, lambda: (promise_id, add_part(app.root, promise_id, "rating", entry, verdict, promise_file)),
              "Wrote a rating to",
              lambda _: f"Rate {promise_id} {verdict} ({date}{', by ' + by if by else ''})\n\n{rationale}")


@cli.command()
@click.argument("event_id", type=RECORD_ID, metavar="EVENT")
@click.option("--severity", type=SEVERITY, help="Gravity from 1 to 5 for this link (default: the event's).")
@click.option("--note", help="Why the event bears on the promise this way.")
@commit_option
@click.pass_obj
def link(app: App, /, event_id: str, severity: int | None, note: str | None, commit: bool | None,
         **stances: tuple[str, ...]) -> None:
    """Link an existing event to a promise, with a stance.

    The link is a file of its own below the promise (CC/promises/PROMISE/links/XX/EVENT.toml), so links
    added on two branches merge cleanly; two different stances for one pair are a conflict in git.

    \b
    Examples:
      tracker link kz-2019-09-21-dvk-rally --contradicts kz-assembly-law
      tracker link kz-2020-05-new-law --partly-fulfills kz-assembly-law --severity 3 \\
        --note "Signed, but keeps prior approval" --commit
    """
    from tracker.store import add_link

    chosen = chosen_links(stances)
    if len(chosen) != 1:
        raise click.UsageError("give exactly one stance and promise, such as --contradicts kz-assembly-law")
    stance, promise = chosen[0]
    app.write(commit, lambda: (event_id, add_link(app.root, event_id, promise, stance, severity, note)),
              "Wrote a link to", lambda _: f"Link {event_id} {stance} {promise}")


link = stance_options(link, "PROMISE", lambda meaning: f"{meaning.capitalize()}.")


@cli.command()
@commit_option
@click.pass_obj
def migrate(app: App, commit: bool | None) -> None:
    """Convert a records directory to the current layout, losing nothing.

    Restatements, ratings and links move out of the promise and event files into files of their own,
    and events move into month folders (see docs/records.md). tracker.toml gets a line, at its
    default, for each stance its multipliers do not name, and schema files tracker wrote are brought
    up to date. Running it again changes nothing.

    \b
    Examples:
      tracker migrate
      tracker --records ~/kazakhstan-records migrate --commit
    """
    from tracker.migrate import migrate as convert

    commit = app.will_commit(commit)
    changed = convert(app.root)
    for path in changed:
        app.terminal.message(f"Converted {path}")
    if commit and changed:
        app.commit(changed, f"Convert {app.root} to the layout of one file per record")
    app.terminal.message(f"{plural(len(changed), 'file')} changed" if changed else "Nothing to convert")


@cli.command("list")
@click.argument("what", type=click.Choice(["promises", "events"]), default="promises")
@click.option("--country", type=COUNTRY, help="Only this country.")
@format_option("table", "json", "csv")
@click.pass_obj
def list_records(app: App, what: str, country: str | None, fmt: str) -> None:
    """List promises (the default) or events, by date.

    A partial date (2019, 2019-06) sorts at its first day, ahead of the full dates of that day.

    \b
    Examples:
      tracker list
      tracker list events --country KZ
      tracker list events --format csv > events.csv
    """
    from tracker import render, serialise

    records = app.load(dt.date.today(), strict=False)
    if records.errors:
        app.terminal.message(f"note: {len(records.errors)} record(s) with errors are left out; run `tracker check`")
    # By date (a partial date at its first day, before the full dates of that day), then by ID.
    if what == "promises":
        promises = sorted(records.promises, key=lambda p: (p.made.list_key(), p.id))
        rows = [serialise.promise_dict(p) | {"made": str(p.made)} for p in promises]
        columns = ["id", "country", "official", "made", "title"]
    else:
        events = sorted(records.events, key=lambda e: (e.date.list_key(), e.id))
        rows = [serialise.event_dict(e) | {"links": len(e.links)} for e in events]
        columns = ["id", "date", "country", "kind", "title", "links"]
    rows = [r for r in rows if country is None or r["country"] == country]
    emit(app, fmt, lambda console: left_out(app, render.list_table(rows, columns, console)), rows=lambda: rows,
         columns=columns)


def left_out(app: App, columns: list[str]) -> None:
    if columns:
        app.terminal.message(f"note: the {', '.join(columns)} column{'s' if len(columns) > 1 else ''} left out to fit "
                             "the terminal's width, so that no ID is broken; a wider terminal, or --format csv, "
                             "shows every column")


def emit(app: App, fmt: str, table: Callable[[Any], Any], data: Callable[[], Any] | None = None,
         rows: Callable[[], list[dict[str, Any]]] | None = None, columns: Iterable[str] = (),
         markdown: Callable[[], str] | None = None) -> None:
    """Print in the chosen format: the one place formats are dispatched.

    table(console) draws for people; data() is what json prints (by default, the rows); rows() and columns
    are what csv and markdown print, unless markdown() gives the Markdown itself. Only the one format
    asked for is computed.
    """
    from tracker import serialise

    if fmt == "table":
        table(app.terminal.out)
    elif fmt == "json":
        app.terminal.data(serialise.to_json((data or rows or list)()))
    elif fmt == "markdown" and markdown:
        app.terminal.data(markdown())
    elif fmt in ("csv", "markdown") and rows:
        write = serialise.to_csv if fmt == "csv" else serialise.to_markdown
        app.terminal.data(write(rows(), columns))
    else:
        raise click.UsageError(f"this command does not print {fmt}")  # a format offered but not wired: a bug


@cli.command()
@click.argument("record_id", type=RECORD_ID, metavar="ID")
@as_of_option("Show the promise as it stood at the end of this day (YYYY-MM-DD).")
@format_option("table", "json")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the promise's timeline chart to this SVG file (as on its page of the site). "
                   "Never inside the records directory, and never over an existing file without --force.")
@click.option("--force", is_flag=True, help="Replace the --chart file if it exists.")
@click.pass_obj
def show(app: App, record_id: str, as_of: dt.date | None, fmt: str, chart: Path | None, force: bool) -> None:
    """Show a promise or an event in full.

    For a promise: its statements, linked events with their stances and weights, and ratings, in date order,
    then its verdict and why.

    \b
    Examples:
      tracker show kz-assembly-law
      tracker show kz-assembly-law --as-of 2019-06-30
      tracker show kz-2019-09-21-dvk-rally --format json
      tracker show kz-assembly-law --as-of 2019-09-30 --chart timeline.svg
    """
    from tracker import render, serialise
    from tracker.score import assess, links_by_promise, terms_of

    as_of = as_of or dt.date.today()
    records = app.load(as_of)
    promise = next((p for p in records.promises if p.id == record_id), None)
    event = next((e for e in records.events if e.id == record_id), None)
    if promise:
        assessment = assess(promise, links_by_promise(records).get(promise.id, []), records.config, as_of,
                            terms_of(records, promise))
        if assessment is None:
            fail(f"{record_id} had not been made by {as_of}")
        if chart:
            from tracker.chart import timeline_svg
            from tracker.site import write_chart

            write_chart(chart, timeline_svg(assessment) + "\n", app.root, force)
            app.terminal.message(f"Wrote the timeline chart to {chart}")
        data = serialise.promise_dict(promise) | {"assessment": serialise.assessment_dict(assessment)}
        emit(app, fmt, lambda console: render.promise_detail(assessment, console), lambda: data)
    elif event is None:
        unknown_id(record_id, [p.id for p in records.promises] + [e.id for e in records.events], "promise or event",
                   app.root)
    elif chart:
        fail(f"{record_id} is an event; --chart draws a promise's timeline")
    else:
        emit(app, fmt, lambda console: render.event_detail(event, console), lambda: serialise.event_dict(event))


@cli.command()
@click.option("--country", type=COUNTRY, help="Only promises of this country.")
@click.option("--official", help="Only promises by officials whose name contains this (any case).")
@click.option("--topic", help="Only promises with this topic tag.")
@as_of_option()
@click.option("--at", "at", metavar="REV", help="The records as they stood at this git revision (a commit, "
              "branch or tag), read from git without touching the files.")
@format_option(*FORMATS)
@click.pass_obj
def report(app: App, country: str | None, official: str | None, topic: str | None, as_of: dt.date | None,
           at: str | None, fmt: str) -> None:
    """Score every promise and print its verdict, with a tally per verdict.

    The report refuses (exit 1) if any record is invalid: it never scores partial data.

    \b
    Examples:
      tracker report --country KZ
      tracker report --as-of 2019-09-30
      tracker report --topic assembly --format markdown > report.md
      tracker report --format json | jq '.summary'
      tracker report --at v1.0 --as-of 2019-12-31
    """
    from tracker import render, serialise
    from tracker.score import report as score

    if at is not None and not at.strip():
        raise click.BadParameter("must name a revision, such as HEAD or main", param_hint="'--at'")
    as_of = as_of or dt.date.today()
    # Only JSON lists each piece of evidence with its event's own fields.
    assessments = score(app.load(as_of, at=at, whole=fmt == "json"), as_of, country, official, topic)
    filters = {"country": country, "official": official, "topic": topic}
    emit(app, fmt, lambda console: left_out(app, render.report_table(assessments, console)),
         lambda: serialise.report_dict(assessments, as_of, filters), lambda: serialise.report_rows(assessments),
         serialise.CSV_COLUMNS)


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--country", type=COUNTRY, help="Only promises of this country.")
@as_of_option("Publish things as they stood at the end of this day (YYYY-MM-DD); give it for a reproducible build.")
@click.option("--title", default="Promise tracker", show_default=True, help="The site's name, on every page.")
@click.option("--base-url", type=URL, default=None,
              help="Where the site will be served, such as https://you.github.io/records/; makes the feed's links "
                   "absolute. Pages link to each other by relative links either way.")
@click.pass_obj
def site(app: App, outdir: Path, country: str | None, as_of: dt.date | None, title: str,
         base_url: str | None) -> None:
    """Publish the records as a static website in OUTDIR.

    It has an index with the tally and filters, a page per promise (its evidence, how its verdict was computed,
    a timeline chart and the verdict over time), a page per event, the methodology, an Atom feed (feed.xml) and
    data.json (as `report --format json`). Nothing is loaded from the network; host it anywhere static files are
    served, such as GitHub Pages. The same records and options always give the same bytes.

    OUTDIR must be new, empty, or an earlier site. The new site is built beside it and swapped in whole; files an
    earlier build wrote and this one does not are removed if unchanged, and nothing else there is touched.

    \b
    Examples:
      tracker site public --as-of 2019-09-30
      tracker site docs --country KZ --title "Kazakhstan promise tracker" \\
        --base-url https://example.github.io/kz-tracker/
    """
    from tracker.site import SiteOptions, build_site, write_site

    as_of = as_of or dt.date.today()
    base = base_url if base_url is None or base_url.endswith("/") else base_url + "/"
    files = build_site(app.load(as_of), SiteOptions(as_of, title, country, base))
    removed = write_site(outdir, files, app.root)
    pages = sum(name.endswith(".html") for name in files)
    app.terminal.message(f"Wrote {pages} pages, feed.xml and data.json to {outdir}"
                         + (f"; removed {len(removed)} stale file(s)" if removed else ""))


@cli.command()
@as_of_option("Warn about dates after this day (YYYY-MM-DD).")
@format_option("table", "json", help="table: each problem on stderr, for people; json: every problem on stdout, "
               "for other tools.")
@click.pass_obj
def check(app: App, as_of: dt.date | None, fmt: str) -> None:
    """Validate every record; print each problem as path:line: message.

    Exits 1 if there are errors; warnings alone (unknown fields, future dates) exit 0.

    \b
    Examples:
      tracker check
      tracker --records ~/kazakhstan-records check
      tracker check --format json | jq '.problems[] | select(.level == "error")'
    """
    from tracker import serialise
    from tracker.layout import old_layout_warning

    as_of = as_of or dt.date.today()
    records = app.load(as_of, strict=False, whole=False)
    problems = [*records.problems, *([old_layout_warning(str(app.root), records.old_layout)] if records.old_layout
                                    else [])]
    errors, warnings = len(records.errors), len(problems) - len(records.errors)
    def each_problem(_: Any) -> None:  # on stderr, as messages are: stdout stays for data
        for problem in problems:
            app.terminal.problem(problem)

    emit(app, fmt, each_problem, lambda: {
        "as_of": as_of.isoformat(), "promises": len(records.promises), "events": len(records.events),
        "errors": errors, "warnings": warnings, "problems": [serialise.problem_dict(p) for p in problems]})
    terms = f", {plural(len(records.terms), 'term')} of office" if records.terms else ""
    summary = (f"{plural(len(records.promises), 'promise')}{terms} and {plural(len(records.events), 'event')} "
               f"valid; {plural(errors, 'error')}, {plural(warnings, 'warning')}")
    app.terminal.message(summary)
    if errors:
        sys.exit(1)


class MapType(click.ParamType):  # type: ignore[type-arg]  # ParamType takes type arguments only from click 8.5
    """FIELD:FROM=TO, split at the first ':' and the last '='."""

    name = "FIELD:FROM=TO"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, tuple):
            return value
        target, colon, rest = value.partition(":")
        old, equals, new = rest.rpartition("=")
        if not (colon and equals and target.strip()):
            self.fail(f"{value!r} is not FIELD:FROM=TO, such as kind:Riot=riot", param, ctx)
        return target.strip(), old.strip(), new.strip()


class Pair(click.ParamType):  # type: ignore[type-arg]  # ParamType takes type arguments only from click 8.5
    """NAME=VALUE; with `last`, split at the last '=' (for a source's own values, which may hold one)."""

    def __init__(self, metavar: str, last: bool = False) -> None:
        self.name, self.last = metavar, last

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, tuple):
            return value
        if "=" not in value:
            self.fail(f"{value!r} is not {self.name}", param, ctx)
        name, _, rest = value.rpartition("=") if self.last else value.partition("=")
        return name.strip(), rest.strip()


@cli.group("import")
def import_group() -> None:
    """Import promises or events from a CSV or JSON file.

    Every imported record keeps the row's source_id (a column you map with --field source_id=COLUMN; by
    default the row's title), so importing the same file again changes nothing, and a later
    version of the file only appends a new dated rating where a promise's status changed.

    \b
    Examples:
      tracker import promises tracker.json --path promises --set country=US ...
      tracker import events acled.csv --preset acled --link contradicts=kz-assembly-law
    """


def import_options(kind: str) -> Decorator:
    from tracker.fields import TARGETS

    targets = ", ".join(TARGETS[kind])

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        options: list[Decorator] = [
            click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
            click.option("--path", "json_path", metavar="KEY", help="In a JSON file, the key (or dotted path) "
                         "of the list of rows, such as promises."),
            click.option("--field", "fields", type=Pair("TARGET=SOURCE"), multiple=True,
                         help=f"Fill TARGET from the column (or dotted JSON path) SOURCE; repeatable. Targets: "
                         f"{targets}. A list field (topics, sources) may be given several times."),
            click.option("--set", "fixed", type=Pair("FIELD=VALUE"), multiple=True,
                         help="A value for every row where the file has none, such as country=US; repeatable."),
            click.option("--where", type=Pair("COLUMN=VALUE"), multiple=True,
                         help="Import only rows whose COLUMN is VALUE; repeatable (several values of one column: "
                         "any of them)."),
            click.option("--key", "keys", metavar="COLUMN", multiple=True,
                         help="Match rows to records imported before by these columns (joined); repeatable. "
                         "Default: source_id, else the title. Naming it allows a rating on a promise the row "
                         "did not create."),
            click.option("--map", "maps", type=MapType(), multiple=True,
                         help="Replace the value FROM of a field with TO, such as kind:Riot=riot; repeatable."),
            click.option("--encoding", metavar="NAME", help="The file's encoding, such as cp1252, mac_roman, "
                         "utf-16 (default: as its byte-order mark says, else UTF-8)."),
            click.option("--date-format", metavar="PATTERN", help="A strptime pattern for dates the file writes "
                         "otherwise, such as %d/%m/%Y."),
            click.option("--separator", default=";", show_default=True,
                         help="What separates the items of a list field (topics, sources, actors) in a cell."),
            click.option("--dry-run", is_flag=True, help="Say what would happen; write nothing."),
            click.option("--strict", is_flag=True, help="Write nothing if any row is refused, and refuse a row "
                         "rather than change a value to fit (a line break in a title, a source that is no "
                         "web address)."),
            format_option("table", "json", help="table: the IDs written, one a line; json: every row's outcome."),
            commit_option,
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@import_group.command("promises")
@import_options("promise")
@click.option("--status-field", metavar="SOURCE", help="The column holding each promise's status.")
@click.option("--status", "statuses", type=Pair("SOURCE=VERDICT", last=True), multiple=True,
              help=f"What a status means as a verdict ({', '.join(VERDICTS)}); repeatable.")
@click.option("--rating-date", type=DATE, help="The date of the ratings made from statuses.")
@click.pass_obj
def import_promises(app: App, /, status_field: str | None, statuses: tuple[tuple[str, str], ...],
                    rating_date: PartialDate | None, **options: Any) -> None:
    """Import promises; a status column becomes a dated editorial rating.

    \b
    Examples:
      tracker import promises tracker.json --path promises \\
        --field title=title --field text=description --field topics=category \\
        --field topics=tags --field sources=sources.url \\
        --set country=US --set official="Donald Trump" --set date=2016-11-08 \\
        --status-field status --status "Achieved=kept" --status "Compromised=compromise" \\
        --status "Broken=broken" --status "In progress=in-progress" \\
        --status "Not started=not-rated" --rating-date 2020-01-20
      tracker import promises pledges.csv --encoding mac_roman --date-format %d/%m/%Y \\
        --key ref --set country="United Kingdom" --map "official:PM=Keir Starmer"
    """
    run_import(app, "promise", {"status_field": status_field, "statuses": statuses, "rating_date": rating_date},
               **options)


@import_group.command("events")
@import_options("event")
@click.option("--preset", type=click.Choice(["acled"]),
              help="Map a known dataset's columns (see docs/import-export.md).")
@click.option("--link", "links", type=Pair("STANCE=PROMISE_ID"), multiple=True,
              help=f"Link every imported event to a promise; stances: {', '.join(STANCES)}; repeatable.")
@click.pass_obj
def import_events(app: App, /, preset: str | None, links: tuple[tuple[str, str], ...], **options: Any) -> None:
    """Import events, such as an ACLED export.

    \b
    Examples:
      tracker import events acled.csv --preset acled \\
        --where sub_event_type="Excessive force against protesters" \\
        --link contradicts=kz-assembly-law
      tracker import events events.csv --field date=day --field title=what --set country=KZ
      tracker import events acled-dyadic.csv --preset acled --strict --dry-run
    """
    from tracker.presets import PRESETS

    run_import(app, "event", {"links": links, "preset": PRESETS[preset] if preset else None}, **options)


def run_import(app: App, kind: str, extra: dict[str, Any], file: Path, json_path: str | None,
               fields: tuple[tuple[str, str], ...], fixed: tuple[tuple[str, str], ...],
               where: tuple[tuple[str, str], ...], keys: tuple[str, ...], maps: tuple[tuple[str, str, str], ...],
               encoding: str | None, date_format: str | None, separator: str, dry_run: bool, strict: bool,
               fmt: str, commit: bool | None) -> None:
    from tracker import importing

    try:
        mapping = importing.make_mapping(kind, fields, fixed, where=where, keys=keys, maps=maps,
                                         separator=separator, date_format=date_format, strict=strict, **extra)
        commit = not dry_run and app.will_commit(commit)
        result = importing.import_file(app.root, file, mapping, json_path, dry_run, strict,
                                       track=lambda plans: progress(app, plans), cache=app.cache, encoding=encoding)
    except importing.MappingError as error:
        raise click.BadParameter(said(error), param_hint=flag(error.field)) if error.field \
            else click.UsageError(said(error)) from error
    except importing.SourceError as error:
        fail(said(error))
    except KeyboardInterrupt:  # while reading and checking the rows: nothing was written yet
        app.terminal.message(f"{safe_text(str(file))}: interrupted before any record was written")
        sys.exit(130)
    for line in importing.messages(result, file, dry_run, flag):
        app.terminal.message(safe_text(line))
    if result.stopped:
        # What was written is listed above; it stays uncommitted, for a person to look at first.
        sys.exit(130 if result.interrupted else 1)
    if commit and result.written and result.written_paths():
        app.commit(result.written_paths(), importing.commit_message(kind, file, result))
    written = [o.ident for o in result.outcomes if o.action in ("created", "updated") and o.ident]
    def each_written(_: Any) -> None:
        if written:
            app.terminal.data("\n".join(written))

    emit(app, fmt, each_written, lambda: importing.as_json(result, file, dry_run, flag))
    if result.counts()["refused"]:
        sys.exit(1)


def safe_text(text: str) -> str:
    from tracker.terminal import safe

    return safe(text)


def progress(app: App, plans: list[Any]) -> Any:
    """A progress bar on stderr for a long import, shown only on a terminal."""
    if len(plans) < 200 or not sys.stderr.isatty():
        return iter(plans)
    from rich.progress import track

    return track(plans, description="Importing", console=app.terminal.err, transient=True)


@cli.command()
@click.argument("rev_a", required=False, metavar="[REV_A")
@click.argument("rev_b", required=False, metavar="[REV_B]]")
@as_of_option("Score both sides as of the end of this day (YYYY-MM-DD).")
@format_option("table", "json", "markdown")
@click.option("--exit-code", is_flag=True, help="Exit 1 when any verdict changed (a promise added or removed "
              "counts), for CI checks.")
@click.pass_obj
def diff(app: App, rev_a: str | None, rev_b: str | None, as_of: dt.date | None, fmt: str, exit_code: bool) -> None:
    """Show what changed in the verdicts between two git revisions.

    REV_A defaults to HEAD; without REV_B the other side is the files as they are now (the work tree).
    For each promise: added or removed, verdict and score before → after, and the evidence,
    statements and ratings added (+) or removed (-) behind the change. Both sides must be valid.

    \b
    Examples:
      tracker diff
      tracker diff main --format markdown > verdicts.md
      tracker diff v1.0 v2.0 --as-of 2020-12-31
      tracker diff origin/main HEAD --exit-code
    """
    from tracker import render_changes, serialise_changes
    from tracker.compare import compare
    from tracker.gitrepo import WORK_TREE, commit_of
    from tracker.score import report as score

    as_of = as_of or dt.date.today()
    rev_a = rev_a or "HEAD"
    # Each revision is resolved once: the heading and the scores come from the same commit, even if a
    # branch moves while the command runs.
    commits = (commit_of(app.root, rev_a), commit_of(app.root, rev_b) if rev_b is not None else None)
    changes = compare(score(app.load(as_of, at=commits[0]), as_of), score(app.load(as_of, at=commits[1]), as_of))
    labels = (f"{rev_a} ({commits[0][:10]})", f"{rev_b} ({commits[1][:10]})" if commits[1] else WORK_TREE)
    sides = ({"revision": rev_a, "commit": commits[0]}, {"revision": rev_b or WORK_TREE, "commit": commits[1]})
    emit(app, fmt, lambda console: render_changes.diff_table(changes, labels, as_of, console),
         lambda: serialise_changes.diff_dict(changes, sides, as_of),
         markdown=lambda: serialise_changes.diff_markdown(changes, labels, as_of))
    if exit_code and any(c.verdict_changed for c in changes):
        sys.exit(1)


@cli.command("history")
@click.argument("promise_id", type=PROMISE_ID, metavar="ID")
@click.option("--revisions", is_flag=True, help="The verdict at each git commit that touched the promise's file "
              "or a linked event's file, with the commit's date, author and subject.")
@click.option("--as-of", type=DAY, default=None, help="Score as of the end of this day (YYYY-MM-DD; a year or a "
              "month means its last day). Default: today by date; each commit's own date with --revisions.")
@format_option("table", "json")
@click.pass_obj
def history_command(app: App, promise_id: str, revisions: bool, as_of: dt.date | None, fmt: str) -> None:
    """Show how a promise's verdict and score changed over time.

    By default, by evidence date: the verdict as of each day on which a statement, a linked event or a rating
    is dated. With --revisions, by git commit: what a report said at each commit that touched its files.

    \b
    Examples:
      tracker history kz-assembly-law
      tracker history kz-assembly-law --revisions
      tracker history kz-assembly-law --format json
    """
    from tracker import render_changes, serialise_changes
    from tracker.changes import by_date as steps_by_date
    from tracker.revisions import by_revision
    from tracker.score import links_by_promise, terms_of

    records = app.load(as_of or dt.date.today())
    promise = next((p for p in records.promises if p.id == promise_id), None)
    if promise is None:
        unknown_id(promise_id, [p.id for p in records.promises], "promise", app.root)
    linked = links_by_promise(records).get(promise_id, [])
    if revisions:
        steps = by_revision(app.root, promise, linked, as_of)
        emit(app, fmt, lambda console: render_changes.revisions_table(steps, console),
             lambda: serialise_changes.revisions_dict(promise_id, steps))
    else:
        as_of = as_of or dt.date.today()
        by_date = steps_by_date(promise, linked, records.config, as_of, terms_of(records, promise))
        emit(app, fmt, lambda console: render_changes.steps_table(by_date, console),
             lambda: serialise_changes.steps_dict(promise_id, as_of, by_date))


@cli.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "sqlite"]), default="json", show_default=True,
              help="json or csv: promises, events and links files in the directory OUT; sqlite: the database "
              "file OUT.")
@click.option("--country", type=COUNTRY, help="Only promises and events of this country.")
@click.option("--official", help="Only promises by officials whose name contains this, and events linked to them.")
@click.option("--topic", help="Only promises with this topic tag, and events linked to them.")
@as_of_option("Compute the sqlite verdicts table as of the end of this day (YYYY-MM-DD).")
@click.option("--force", is_flag=True, help="Replace output files that exist already.")
@click.pass_obj
def export(app: App, out: Path, fmt: str, country: str | None, official: str | None, topic: str | None,
           as_of: dt.date | None, force: bool) -> None:
    """Export the records (or a filtered part) for spreadsheets, pandas, SQLite and Datasette.

    Refuses (exit 1) if any record is invalid, and never replaces an existing file without --force.
    The paths written are printed on stdout.

    \b
    Examples:
      tracker export --format csv out/
      tracker export --format json --country KZ kz-json/
      tracker export --format sqlite records.db --as-of 2019-09-30 && datasette records.db
    """
    from tracker import exporting
    from tracker.score import report as score

    as_of = as_of or dt.date.today()
    records = app.load(as_of)
    chosen = exporting.select(records, country, official, topic)
    if fmt == "sqlite":
        filters = {"country": country, "official": official, "topic": topic}
        exporting.write_sqlite(out, chosen, records, score(records, as_of, country, official, topic), as_of,
                               filters, force, app.root)
        paths = [out]
    else:
        paths = exporting.write_files(out, exporting.as_files(fmt, chosen, records), force, app.root)
    as_of_note = f" (verdicts as of {as_of})" if fmt == "sqlite" else ""
    app.terminal.message(f"Wrote {len(chosen.promises)} promises, {len(chosen.events)} events and "
                         f"{len(chosen.links)} links to {out}{as_of_note}")
    for path in paths:
        click.echo(path)


@cli.command()
@click.argument("kind", type=click.Choice(["promise", "event", "config"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of a promise file, an event file or tracker.toml.

    Files the tool writes name their schema in their first line (#:schema ...), which editors with a
    TOML language server (taplo, Even Better TOML) read to check a record as it is typed.

    \b
    Examples:
      tracker schema promise
      tracker schema event > event.schema.json
    """
    from tracker.schema import shipped

    click.echo(shipped(kind), nl=False)


spread_global_options(cli)


def main() -> None:
    try:
        cli(prog_name="tracker")
    except KeyboardInterrupt:  # before a command started, as while reading the options
        interrupted()


if __name__ == "__main__":
    main()
