"""Mutation scores of the scoring, date and validation modules, with mutmut (slow: not run in CI).

    .venv/bin/pip install 'mutmut==3.8.1'
    .venv/bin/python -m benchmarks.mutation              # score.py, dates.py and validate.py
    .venv/bin/python -m benchmarks.mutation dates        # one module
    .venv/bin/python -m benchmarks.mutation validate 'tracker.validate.x_check_text*'   # some functions

Each module is mutated in a scratch copy of the repository (mutmut writes a mutants/ folder where
it runs), against the tests that exercise it. The score is killed ÷ (mutants − equivalent), where
an equivalent mutant is one no test can tell from the original: each is listed in EQUIVALENT with
the reason, and printed. Surviving mutants that are not listed are printed too: each is a missing test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIED = ("tracker", "tests", "records", "docs", "benchmarks", "cli.py", "pyproject.toml", "README.md")

# module -> the tests that exercise it (the whole suite per mutant would take hours).
TESTS = {
    "score": ["tests/test_scoring.py", "tests/test_commands.py", "tests/test_dates.py",
              "tests/test_method.py"],  # the method's rules: terms of office, obstacles, partial delivery
    "dates": ["tests/test_dates.py"],
    "validate": ["tests/test_errors.py", "tests/test_hostile.py", "tests/test_limits.py", "tests/test_dates.py",
                 "tests/test_read_back.py",
                 # Terms of office, and records read from a git revision rather than the work tree.
                 *(f"tests/test_method.py::test_{name}" for name in (
                     "a_campaign_pledge_falls_due_at_the_end_of_the_term_it_was_made_to_win",
                     "a_running_term_or_none_recorded_sets_no_due_date",
                     "terms_match_the_official_in_any_case_and_spacing_within_the_country",
                     "add_term_refuses_an_end_before_the_start_and_check_reports_one_in_a_file")),
                 *(f"tests/test_git.py::test_{name}" for name in (
                     "report_at_reads_older_commits_from_git_only",
                     "report_at_a_revision_with_errors_names_the_file_as_git_does",
                     "report_at_points_at_the_line_of_a_cross_record_problem", "history_by_revision")),
                 # The snapshot of assembled records, and the progress of a long load.
                 *(f"tests/test_cache.py::test_{name}" for name in (
                     "a_warm_load_is_the_snapshot_and_writes_nothing",
                     "a_long_load_shows_its_progress_with_or_without_the_cache",
                     "a_report_s_rows_read_events_cut_to_what_scoring_needs",
                     "a_snapshot_that_cannot_be_read_after_its_check_is_rebuilt",
                     "a_warm_load_sees_a_file_changed_since_its_snapshot",
                     "a_load_leaves_keeping_its_snapshot_to_the_caller_who_asks")),
                 # A test that starts tracker in a new process cannot run under mutmut, whose mutated
                 # modules look for its settings in the working directory.
                 "--deselect", "tests/test_hostile.py::test_a_pipe_is_not_read"],
}

_ALL_LINKS = ("the index of a filtered report holds only the chosen promises' links, for speed; any superset "
              "gives the same result")

_FIRST_MATCH = "get_close_matches without n=1 finds up to 3, but only the first is used"
_DROPPED = ("a Rating is built from a missing or unknown value, but each such value was reported as an error, and "
            "a record with an error is left out")
_REPORTED = "a missing country, official or start was reported as an error, which the test before it catches"
_REPORTED_EVENT = "a missing country, date or title was reported as an error, which the test before it catches"
_REPORTED_PROMISE = "a missing country, official or title was reported as an error, which the test before it catches"
_MEMO = "the memo of each path's kind and each blob's result is skipped: the same result is computed again"
_DECODED = "the blob was parsed as UTF-8 before a problem could name it, so decoding it cannot fail"
_KIND = "Part.kind is never read: the type of its item says what it is"
_DECLINED = ("a link file is never taken as like a clean one (the memo is not kept, not asked, or its answer "
             "declined): the whole check runs, with the same result")

# mutant name -> why no test can tell it from the original.
EQUIVALENT: dict[str, str] = {
    "tracker.validate.x__link_values__mutmut_17": _FIRST_MATCH,
    "tracker.validate.x__link_values__mutmut_18": _FIRST_MATCH,
    "tracker.validate.x__unresolved_links__mutmut_13": _FIRST_MATCH,
    "tracker.validate.x__unresolved_links__mutmut_14": _FIRST_MATCH,
    "tracker.validate.x__link_values__mutmut_34": "an unknown stance becomes '' rather than None: both are false, and "
                                                  "the link is left out either way",
    "tracker.validate.x__link_values__mutmut_62": "required=None is false, as False is",
    "tracker.validate.x__link_values__mutmut_68": "the shared-link memo is emptied one link later: it bounds memory",
    "tracker.validate.x__rating__mutmut_10": "required=None is false, as False is",
    "tracker.validate.x__rating__mutmut_33": "an unknown verdict becomes '' rather than None: both are false, and the "
                                             "rating is left out either way",
    "tracker.validate.x__rating__mutmut_39": _DROPPED,
    "tracker.validate.x__rating__mutmut_50": _DROPPED,
    "tracker.validate.x__rating__mutmut_51": _DROPPED,
    "tracker.validate.x__text_of__mutmut_1": "the locale's encoding is UTF-8 wherever the tests run (Python coerces "
                                             "the C locale to UTF-8)",
    "tracker.validate.x__text_of__mutmut_4": "'UTF-8' and 'utf-8' name one codec",
    "tracker.validate.x__text_of__mutmut_5": "the text of a file that cannot be read again: every file a problem "
                                             "names was read moments before, and is valid UTF-8",
    "tracker.validate.x__links__mutmut_3": "an event with no link files of its own keeps its links either way: no "
                                           "pair of it can be linked twice",
    "tracker.validate.x__links__mutmut_12": "with no link files, len(inline) - 0 == len(inline) + 0",
    "tracker.validate.x__relinked__mutmut_1": "an event given the links it has is copied rather than returned as it "
                                              "is: the copy is equal to it",
    **{f"tracker.validate.x_assemble__mutmut_{n}": "the cache of file texts, to point at lines, is larger: the same "
                                                  "texts are read" for n in (11, 12)},
    "tracker.validate.x_assemble__mutmut_13": "a link file's result is not put with the parts at once: the branches "
                                              "for every result put it there",
    **{f"tracker.validate.x_assemble__mutmut_{n}": "the kind noted for a term file is never compared with anything"
       for n in (33, 34)},
    **{f"tracker.validate.x_assemble__mutmut_{n}": "the IDs are made from the very list they are zipped with: always "
                                                  "as long" for n in (46, 49, 50)},
    "tracker.validate.x__attach__mutmut_28": "promise_file_of splits at '/' by default, which is os.sep where the "
                                             "tests run",
    "tracker.validate.x__part_dates_and_borders__mutmut_41": "a statement or rating has no event: '' and 'XXXX' are "
                                                             "both no event's ID, and only a link's country is read",
    "tracker.validate.x_check_raw__mutmut_4": "a valid record wrapped in a Checked with no problems is read as it "
                                              "is; a None record always comes with problems",
    "tracker.validate.xǁFieldsǁid_and_country__mutmut_19": "required=None is false, as False is",
    "tracker.validate.xǁFieldsǁid_and_country__mutmut_52": "an unknown country becomes '' rather than None, but it "
                                                          "was reported as an error, and a record with an error is "
                                                          "left out",
    **{f"tracker.validate.x__month_folder__mutmut_{n}": "a record's path always starts with its records folder ('.' "
                                                       "at least), so an event in a month folder has six parts or more"
       for n in (8, 9)},
    **{f"tracker.validate.x__month_folder__mutmut_{n}": "which folder name is returned is never read: only whether it "
                                                       "is None" for n in (5, 6)},
    **{f"tracker.validate.x_part_from__mutmut_{n}": _DECLINED for n in (7, 8, 10, 55)},
    "tracker.validate.x_part_from__mutmut_6": "a statement or rating file is in statements/ or ratings/, never in a "
                                              "folder named as a shard, so _known_link declines it",
    "tracker.validate.x_part_from__mutmut_54": "the memo of clean link files is emptied at one entry more: no test "
                                               "checks 100,000 different link texts",
    "tracker.validate.x_part_from__mutmut_56": _KIND,
    **{f"tracker.validate.x__known_link__mutmut_{n}": _DECLINED for n in (1, 2, 7)},
    **{f"tracker.validate.x__known_link__mutmut_{n}": _KIND for n in (8, 18, 19)},
    **{f"tracker.validate.x__link_values__mutmut_{n}": "the shared-link memo hands back None for a link it has not "
                                                      "seen; under mutmut every test's links were seen by the clean "
                                                      "run the mutant is forked from (in a fresh process any test "
                                                      "that reads a link fails)"
       for n in (70, 71, 72)},
    **{f"tracker.validate.x_event_from__mutmut_{n}": "required=None is false, as False is" for n in (10, 34, 84, 96)},
    "tracker.validate.x_event_from__mutmut_105": _REPORTED_EVENT,
    "tracker.validate.x_event_from__mutmut_106": _REPORTED_EVENT,
    "tracker.validate.x_promise_from__mutmut_136": _REPORTED_PROMISE,
    "tracker.validate.x_promise_from__mutmut_137": _REPORTED_PROMISE,
    **{f"tracker.validate.x_promise_from__mutmut_{n}": "required=None is false, as False is" for n in (32, 51, 58, 69)},
    "tracker.validate.x__statement__mutmut_12": "required=None is false, as False is",
    "tracker.validate.x__statement__mutmut_19": "required=None is false, as False is",
    "tracker.validate.x__statement__mutmut_26": "a Statement is built without a date, but the missing date was "
                                                "reported as an error, and a record with an error is left out",
    "tracker.validate.x_cross_check__mutmut_2": "_unresolved_links does not use the promises it is given",
    "tracker.validate.x_check_bytes__mutmut_14": "parsed=None is false, as False is",
    "tracker.validate.x__duplicate_ids__mutmut_6": "line=None is the default",
    "tracker.validate.x__duplicate_ids__mutmut_14": "only IDs that more than one file has are passed in",
    "tracker.validate.x_validate_blobs__mutmut_82": "parsed=None is false, as False is",
    "tracker.validate.x_term_from__mutmut_13": "required=None is false, as False is",
    "tracker.validate.x_term_from__mutmut_24": "required=None is false, as False is",
    "tracker.validate.x_term_from__mutmut_47": _REPORTED,
    "tracker.validate.x_term_from__mutmut_48": _REPORTED,
    "tracker.validate.x_validate_blobs__mutmut_5": _MEMO,
    "tracker.validate.x_validate_blobs__mutmut_54": _MEMO,
    "tracker.validate.x_validate_blobs__mutmut_92": _MEMO,
    "tracker.validate.x_validate_blobs__mutmut_99": "the text of a file not read from the revision: every file a "
                                                    "problem names was",
    "tracker.validate.x_validate_blobs__mutmut_105": _DECODED,
    "tracker.validate.x_validate_blobs__mutmut_107": "'UTF-8' and 'utf-8' name one codec",
    "tracker.validate.x_validate_blobs__mutmut_108": _DECODED,
    "tracker.validate.x_validate_blobs__mutmut_109": _DECODED,
    "tracker.validate.x_case_folders__mutmut_35": "os.path.join('', folder) is folder",
    "tracker.validate.xǁFieldsǁwhole__mutmut_14": "every caller gives a highest value, so the words for a range "
                                                "without one are never used",
    **{f"tracker.validate.x__attach__mutmut_{n}": "a promise with no files of its own gets None rather than []: both "
                                                 "are false, and it is returned as it is" for n in (107, 109)},
    "tracker.validate.x__paths_by_id__mutmut_3": "IDs of one file each are passed on, and dropped by _duplicate_ids, "
                                                 "which reports only IDs of more than one file",
    **{f"tracker.validate.x__paths_by_id__mutmut_{n}": "the IDs are made from the very list they are zipped with: "
                                                      "always as long" for n in (8, 11, 12)},
    "tracker.dates.xǁPartialDateǁlist_key__mutmut_3": "a full date's rank 3 rather than 2: only the order of the ranks "
                                                      "0 < 1 < 2 matters",
    "tracker.validate.x__attach__mutmut_98": "at most two files link one pair (the event, and the one link file named "
                                             "after it in its promise's folder; a link file in any other folder is "
                                             "refused): the separator never joins two names",
    **{f"tracker.validate.x_load_records__mutmut_{n}": "FileCache.checked takes the stamps of the same files itself "
                                                       "when not given them" for n in (92, 96)},
    "tracker.dates.x__shared__mutmut_1": "the shared-date memo is emptied one date later: it bounds memory",
    "tracker.score.x_report__mutmut_10": "filtered = None: " + _ALL_LINKS,
    "tracker.score.x_report__mutmut_11": "filtered even when nothing is filtered out: " + _ALL_LINKS,
    "tracker.score.x_report__mutmut_14": "every link indexed: " + _ALL_LINKS,
    "tracker.score.x_report__mutmut_16": "every link indexed: " + _ALL_LINKS,
    "tracker.score.x_report__mutmut_17": "every link indexed: " + _ALL_LINKS,
    "tracker.score.x_report__mutmut_18": "only the chosen links, even when all are chosen: " + _ALL_LINKS,
    "tracker.score.x_due_of__mutmut_17": "a term that begins on the statement's day is running then, and a running "
                                         "term is taken before a later one",
    "tracker.score.x_official_key__mutmut_2": "promises and terms are keyed by this one function, so any joiner pairs "
                                              "the same names",
    "tracker.score.x_score_of__mutmut_14": "rounding to 10 places removes float error as 9 do; no weights found "
                                           "differ (multipliers 0.1 to 4.0 by 0.1, 1 to 10 items a side)",
}


def run(module: str, only: list[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Mutate tracker/MODULE.py in a scratch copy; the mutants by outcome (killed, survived, ...), and the
    diff of each that was not killed."""
    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        work = Path(scratch)
        for name in COPIED:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", ".tracker-cache"))
            else:
                shutil.copy2(source, work / name)
        selection = json.dumps(["-x", "-q", "-p", "no:cacheprovider", *TESTS[module]])
        with open(work / "pyproject.toml", "a", encoding="utf-8") as config:
            config.write(f'\n[tool.mutmut]\nsource_paths = ["tracker/"]\nonly_mutate = ["tracker/{module}.py"]\n'
                         f"pytest_add_cli_args_test_selection = {selection}\n"
                         'also_copy = ["cli.py", "records", "docs", "benchmarks", "README.md", "tests"]\n')
        env = {**os.environ, "PYTHONPATH": str(work)}
        subprocess.run([sys.executable, "-m", "mutmut", "run", *only], cwd=work, env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        listing = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=work, env=env,
                                 capture_output=True, text=True, check=True).stdout
        outcomes: dict[str, list[str]] = {}
        for line in listing.splitlines():
            name, _, status = line.strip().rpartition(": ")
            if name and (not only or status != "not checked"):  # with names given, the rest were not run
                outcomes.setdefault(status, []).append(name)
        diffs = {name: subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=work, env=env,
                                      capture_output=True, text=True, check=False).stdout
                 for status, names in outcomes.items() if status not in ("killed", "timeout", "not checked")
                 for name in names}
    return outcomes, diffs


def report(module: str, outcomes: dict[str, list[str]], diffs: dict[str, str]) -> str:
    total = sum(len(names) for names in outcomes.values())
    killed = len(outcomes.get("killed", [])) + len(outcomes.get("timeout", []))
    survivors = [n for status, names in outcomes.items() if status not in ("killed", "timeout") for n in names]
    equivalent = [n for n in survivors if n in EQUIVALENT]
    missed = [n for n in survivors if n not in EQUIVALENT]
    counted = total - len(equivalent)
    score = 100 * killed / counted if counted else 0.0
    lines = [f"tracker/{module}.py: {killed} killed of {counted} ({total} mutants, {len(equivalent)} equivalent): "
             f"{score:.1f}%"]
    if len(outcomes.get("not checked", [])) == total:
        return f"tracker/{module}.py: mutmut could not run the tests (a test fails unmutated, or needs a new process)"
    lines += [f"  equivalent {n}: {EQUIVALENT[n]}" for n in equivalent]
    for n in missed:
        status = next(s for s, names in outcomes.items() if n in names)
        changed = [line for line in diffs.get(n, "").splitlines()
                   if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        lines.append(f"  not killed {n} ({status}): " + " | ".join(changed))
    return "\n".join(lines)


def main() -> None:
    modules, only = sys.argv[1:2] or list(TESTS), sys.argv[2:]
    for module in modules:
        print(report(module, *run(module, only)), flush=True)


if __name__ == "__main__":
    main()
