"""What the shell offers on Tab: record IDs from the file names (no record is read) and country codes."""

from __future__ import annotations

import glob
from pathlib import Path

from iso3166 import countries

from . import layout

PLACES = {kind: tuple(layout.globs(kind)) for kind in layout.TOP_KINDS}
PLACES["record"] = PLACES["promise"] + PLACES["event"]


def candidates(kind: str, root: Path, incomplete: str) -> list[tuple[str, str | None]]:
    """(value, help) pairs that start with what was typed: IDs of one kind of record, or country codes."""
    if kind == "country":
        upper = incomplete.upper()
        # In the case typed, so that shells that match case-sensitively keep them; the option takes either.
        fold = str.lower if incomplete.islower() else str.upper
        return sorted((fold(c.alpha2), c.name) for c in countries if c.alpha2.startswith(upper))
    idents = {Path(hit).stem for pattern in PLACES[kind] for hit in glob.glob(pattern, root_dir=root)}
    return [(ident, None) for ident in sorted(idents) if ident.startswith(incomplete)]
