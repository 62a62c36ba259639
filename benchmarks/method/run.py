"""The method against independent fact-checkers: rebuild each case with the CLI, score it, compare.

    python -m benchmarks.method.run              # writes benchmarks/method/RESULTS.md
    python -m benchmarks.method.run --records DIR   # also keeps the records it built in DIR

Inputs, all in this folder:
- cases/NN-*.toml: a real promise, the official's terms, the events (each with its source), and an
  independent fact-checker's verdict with its date and URL;
- coding/coder-g.toml: each event's stance and severity, coded from the codebook (docs/codebook.md)
  alone, by a coder who had not read the scoring code and did not see the fact-checkers' verdicts;
- coding/coder-h.toml: a second, independent coding of 10 of the cases (every third, from the second),
  for the agreement between coders.
Earlier rounds' codings stay for the record: coder-a/b (round 1, the first codebook and case files),
coder-c/d (round 3), coder-e/f (round 4, before the codebook's rules on the final vote and on a
decision taking effect). docs/method.md tells how each round went.

The comparison protocol was fixed before any result was seen (see RESULTS.md for it in full).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli import cli
from tracker.dates import parse_date

HERE = Path(__file__).resolve().parent
CASES, CODING, RESULTS = HERE / "cases", HERE / "coding", HERE / "RESULTS.md"
FINAL_WINDOW = dt.timedelta(days=60)
FIRST, SECOND = "coder-g.toml", "coder-h.toml"

# Each tracker's label, as written on its pages, mapped to tracker's verdicts. Fixed before the
# results were seen: Kept/Achieved/Delivered -> kept, Compromise -> compromise, Broken -> broken,
# Stalled -> stalled, In the Works -> in-progress; the other trackers' labels by their meaning.
EXPERT_SCALE = {
    "promise kept": "kept", "kept": "kept", "delivered": "kept", "achieved": "kept", "cumplida": "kept",
    "выполнено (fulfilled)": "kept", "выполнено": "kept",
    "compromise": "compromise",
    "promise broken": "broken", "broken": "broken", "incumplida": "broken", "not fulfilled": "broken",
    "can no longer be fulfilled": "broken",
    "stalled": "stalled", "not started": "stalled",
    "in the works": "in-progress", "in progress": "in-progress", "en proceso, demorada": "in-progress",
}


def load(folder: Path) -> list[dict[str, Any]]:
    return [tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.toml"))]


def coding(name: str) -> dict[str, dict[str, Any]]:
    path = CODING / name
    return {case["case"]: case for case in tomllib.loads(path.read_text(encoding="utf-8"))["cases"]} \
        if path.is_file() else {}


def tracker(*args: str, refusal: bool = False) -> str:
    """Run the CLI; a refusal ends the run, unless it is expected (then its message is returned)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if result.exit_code != 0 and not refusal:
        sys.exit(f"tracker {' '.join(args)}: exit {result.exit_code}\n{result.stderr}")
    return result.stdout if result.exit_code == 0 else result.stderr.strip().splitlines()[-1].removeprefix("error: ")


def terms(cases: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, str]]:
    """Each official's terms, once: several cases of one official each list them, as known on their rating
    date (a term still running then has no end); the end known from any case is kept."""
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    for case in cases:
        for term in case.get("terms", []):
            key = (case["country"], case["official"], term["start"])
            known = found.setdefault(key, {"office": case["office"], "end": ""})
            known["end"] = known["end"] or term["end"]
    return found


def add_terms(records: Path, cases: list[dict[str, Any]]) -> None:
    for (country, official, start), term in terms(cases).items():
        tracker("--records", str(records), "add-term", "--country", country, "--official", official,
                "--office", term["office"], "--start", start, *(["--end", term["end"]] if term["end"] else []))


def build(records: Path, case: dict[str, Any], coded: dict[str, Any]) -> None:
    """The case as a researcher would record it, command by command."""
    at = ("--records", str(records))
    deadline = coded.get("deadline", "")
    tracker(*at, "add-promise", "--id", case["id"], "--country", case["country"], "--official", case["official"],
            "--office", case["office"], "--title", case["title"], "--text", case["text"], "--date", case["made"],
            "--source", case["made_source"], *(["--deadline", deadline] if deadline else []))
    for restated in case.get("restatements", []):
        tracker(*at, "restate", case["id"], "--date", restated["date"], "--source", restated["source"])
    events = {event["id"]: event for event in case["events"]}
    for link in coded["events"]:
        event = events[link["event"]]
        if link["stance"] == "restates":
            tracker(*at, "restate", case["id"], "--date", event["date"], "--source", event["source"])
        elif link["stance"] != "none":
            tracker(*at, "add-event", "--id", f"{case['id']}-{event['id']}", "--country", case["country"],
                    "--date", event["date"], "--title", event["title"], "--source", event["source"],
                    "--notes", f"{event['summary']} Coded: {link['reason']}",
                    "--severity", str(link["severity"]), f"--{link['stance']}", case["id"])


def compared_on(case: dict[str, Any]) -> dt.date:
    """The protocol: the rating date; for a final verdict given within a term's last 60 days, the day after it ended."""
    rated = parse_date(case["expert"]["rating_date"]).last
    if case["expert"]["final"]:
        for term in case.get("terms", []):
            end = parse_date(term["end"]).last if term["end"] else None
            if end and end - FINAL_WINDOW <= rated <= end + dt.timedelta(days=1):
                return end + dt.timedelta(days=1)
    return rated


def verdicts(records: Path, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for case in cases:
        on = compared_on(case)
        out = tracker("--records", str(records), "show", case["id"], "--as-of", on.isoformat(), "--format", "json",
                      refusal=True)
        shown = json.loads(out)["assessment"] if out.startswith("{") else {"verdict": "(none)", "reason": out}
        expert = EXPERT_SCALE[case["expert"]["verdict"].casefold()]
        rows.append({"case": case, "on": on, "expert": expert, "computed": shown["verdict"],
                     "reason": shown["reason"], "agree": expert == shown["verdict"]})
    return rows


def kappa(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Percent agreement and Cohen's kappa of two coders' labels."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    return observed, (observed - expected) / (1 - expected) if expected < 1 else 1.0


def coder_pairs(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(case, event, A's stance, B's stance) for every event both coders coded."""
    pairs = []
    for case, coded in sorted(b.items()):
        theirs = {e["event"]: e["stance"] for e in a.get(case, {}).get("events", [])}
        pairs += [(case, e["event"], theirs[e["event"]], e["stance"]) for e in coded["events"] if e["event"] in theirs]
    return pairs


def causes(rows: list[dict[str, Any]]) -> list[str]:
    """Each disagreement with its cause (from causes.toml), and any cause that no longer has a disagreement."""
    written = tomllib.loads((HERE / "causes.toml").read_text(encoding="utf-8"))["causes"]
    lines = [f"- **{r['case']['id']}**: {written.get(r['case']['id'], 'NO CAUSE WRITTEN YET')}" for r in rows
             if not r["agree"]]
    stale = sorted(set(written) - {r["case"]["id"] for r in rows if not r["agree"]})
    return lines + ([f"- causes.toml names cases that now agree: {', '.join(stale)}"] if stale else [])


def report(rows: list[dict[str, Any]], pairs: list[tuple[str, str, str, str]], second: list[dict[str, Any]]) -> str:
    agreed = sum(r["agree"] for r in rows)
    countries = sorted({r["case"]["country"] for r in rows})
    lines = [
        "# The method against independent fact-checkers",
        "",
        "Made by `python -m benchmarks.method.run` (see its docstring and docs/method.md). Each case is a",
        "real promise rated by an independent fact-checker; its events were coded from public sources by a",
        "coder who followed docs/codebook.md alone, without the scoring code and without the verdicts.",
        "",
        f"**Agreement: {agreed} of {len(rows)} cases ({100 * agreed / len(rows):.0f}%)**, "
        f"over {len(countries)} countries ({', '.join(countries)}).",
        "",
        "Protocol, fixed before the results were seen: interim verdicts are compared at the expert's rating",
        "date; final verdicts at the rating date, or at the day after the term ended if the expert rated within",
        "the term's last 60 days. A date known only to the month or year is taken at its last day. Expert",
        "labels map as in `EXPERT_SCALE` in run.py: Kept/Achieved/Delivered/Cumplida -> kept, Compromise ->",
        "compromise, Broken/Incumplida/Not fulfilled -> broken, Stalled/Not started -> stalled, In the",
        "Works/In progress/En proceso -> in-progress.",
        "",
        "| case | country | fact-checker | their verdict | compared on | tracker | agree | tracker's reason |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        e = r["case"]["expert"]
        lines.append(f"| [{r['case']['id']}]({e['url']}) | {r['case']['country']} | {e['tracker']} | {e['verdict']} "
                     f"({r['expert']}) | {r['on']} | {r['computed']} | {'yes' if r['agree'] else '**no**'} | "
                     f"{r['reason']} |")
    if not all(r["agree"] for r in rows):
        lines += ["", "## The disagreements and their causes", "", *causes(rows)]
    if pairs:
        percent, k = kappa([(a, b) for _, _, a, b in pairs])
        lines += ["", "## Two coders", "",
                  f"A second coder coded {len({c for c, *_ in pairs})} of the cases from the same case files and "
                  "codebook, without seeing the first coder's work.", "",
                  f"**Stance agreement: {sum(a == b for *_, a, b in pairs)} of {len(pairs)} events "
                  f"({100 * percent:.0f}%), Cohen's kappa {k:.2f}.**", "",
                  "| case | event | first coder | second coder |", "|---|---|---|---|"]
        lines += [f"| {c} | {e} | {a} | {b} |" for c, e, a, b in pairs if a != b]
        if second:
            same = sum(r["agree"] for r in second)
            lines += ["", f"With the second coder's coding, the tracker agrees with the fact-checkers in {same} of "
                      f"{len(second)} of those cases."]
    return "\n".join(lines) + "\n"


def run(keep: Path | None) -> str:
    cases = load(CASES)
    first, second = coding(FIRST), coding(SECOND)
    with tempfile.TemporaryDirectory() as scratch:
        records = keep or Path(scratch) / "records"
        tracker("init", str(records))
        add_terms(records, cases)
        for case in cases:
            build(records, case, first[case["id"]])
        rows = verdicts(records, cases)
        rows_b: list[dict[str, Any]] = []
        if second:
            records_b = Path(scratch) / "records-b"
            tracker("init", str(records_b))
            chosen = [case for case in cases if case["id"] in second]
            add_terms(records_b, chosen)
            for case in chosen:
                build(records_b, case, second[case["id"]])
            rows_b = verdicts(records_b, chosen)
        return report(rows, coder_pairs(first, second), rows_b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=Path, help="keep the records built from the first coder's coding here")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    text = run(args.records)
    args.out.write_text(text, encoding="utf-8")
    print(text.split("\n\n")[2])


if __name__ == "__main__":
    main()
