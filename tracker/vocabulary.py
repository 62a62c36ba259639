"""The words of the method and the records: verdicts, stances and counts.

Kept apart from the record types (tracker.model) so that the command line can offer them as choices
without building the dataclasses, which would slow every start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

# What each verdict tells a reader, in one sentence (show, the site and docs/codebook.md say it).
VERDICT_MEANINGS: Mapping[str, str] = MappingProxyType({
    "kept": "The pledge was delivered in full or largely.",
    "compromise": "Part of the pledge was delivered or kept, and the rest was not.",
    "broken": "The pledge was withdrawn or reversed, its deadline or term passed without it being delivered, "
              "or it is being missed.",
    "contradicted": "The promise-maker's own conduct has gone against the pledge more than it has supported it.",
    "in-progress": "The promise-maker has recently taken steps toward the pledge.",
    "stalled": "Nothing has moved the pledge forward for a long time, or it is blocked by someone else.",
    "not-rated": "Too little has happened yet to say.",
})
VERDICTS = tuple(VERDICT_MEANINGS)


class Stance(NamedTuple):
    side: str  # "support", "against", or "neither" (an obstacle: it weighs on neither side)
    multiplier: float  # the default; tracker.toml may set another for a stance with a side
    meaning: str


STANCES: Mapping[str, Stance] = MappingProxyType({
    "fulfills": Stance("support", 4, "the pledge is delivered in full or largely"),
    "partly-fulfills": Stance("support", 2, "delivered in part or watered down"),
    "advances": Stance("support", 1, "a concrete step toward it, such as a draft published"),
    "consistent": Stance("support", 1, "conduct in line with it, such as a protest allowed with no detentions"),
    "contradicts": Stance("against", 1, "conduct contrary to it, such as peaceful protesters detained"),
    "partly-breaks": Stance("against", 2, "a part of it is reversed or cut back for good, such as a pledged sum "
                            "or date cut or put back"),
    "breaks": Stance("against", 4, "the pledge is withdrawn or reversed"),
    "obstructs": Stance("neither", 0, "someone else blocks or delays it, such as a legislature voting it down"),
    "misses": Stance("neither", 0, "an outcome shows its own target being missed, or someone else's act "
                     "leaves it impossible to keep"),
})
# The stances that weigh on a side, and so have a multiplier in tracker.toml.
WEIGHED = tuple(name for name, stance in STANCES.items() if stance.side != "neither")

COUNTS = ("detained", "fined", "jailed", "injured", "killed")
EVENT_KINDS = ("detention", "fine", "violence", "legal-change", "statement", "permitted-protest")
MAX_COUNT = 10**12  # more people than have ever lived: a typo, and beyond what a spreadsheet holds exactly
