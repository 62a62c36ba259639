"""Country names and codes as people write them, to ISO 3166-1 alpha-2.

The names come from pycountry, which packages the Debian iso-codes database (kept up to date with
every ISO 3166 change, with each country's short name, official name and common name). We add
two rules and a short list of aliases, only for the forms that database does not hold:

- UN and ISO lists write some names inverted or with a parenthesis: "Korea, Republic of" and
  "Iran (Islamic Republic of)" are also read as "Republic of Korea" and "Iran, Islamic Republic of".
- ALIASES: former and everyday English names still common in datasets and news ("Cape Verde",
  "Turkey", "Ivory Coast", "Russia"), and Kosovo, which ISO has not coded (XK is the code in use).

Matching ignores case, accents, a leading "the" and runs of spaces; it is exact otherwise, never
fuzzy: a near miss is refused with a suggestion, since "Republic of Korea" and "Korea, Democratic
People's Republic of" are a few letters apart.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Names the database lacks, by the normalised name -> alpha-2.
ALIASES = {
    "cape verde": "CV", "ivory coast": "CI", "turkey": "TR", "swaziland": "SZ", "macedonia": "MK",
    "burma": "MM", "east timor": "TL", "russia": "RU", "palestine": "PS", "kosovo": "XK", "xkx": "XK",
    "republic of congo": "CG", "congo-brazzaville": "CG", "democratic republic of congo": "CD", "dr congo": "CD",
    "drc": "CD", "congo-kinshasa": "CD", "vatican": "VA", "vatican city": "VA", "brunei": "BN",
    "micronesia": "FM", "great britain": "GB", "britain": "GB", "holland": "NL",
}

# Codes that people use but ISO reserves for another meaning: suggested, never accepted.
SUGGEST = {"UK": "GB", "EL": "GR", "EN": "GB"}


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    folded = re.sub(r"\s+", " ", folded.replace("\u2019", "'")).strip()
    return folded.removeprefix("the ")


@functools.cache
def _index() -> dict[str, str]:
    import pycountry  # loaded only when a country is given as more than a code

    index: dict[str, str] = {}
    for country in pycountry.countries:
        names = [getattr(country, attr, None) for attr in ("name", "official_name", "common_name")]
        for name in filter(None, names):
            index[_key(name)] = country.alpha_2
            head, comma, tail = name.partition(", ")
            if comma:  # "Korea, Republic of" -> "Republic of Korea"
                index.setdefault(_key(f"{tail} {head}"), country.alpha_2)
        index[_key(country.alpha_3)] = country.alpha_2
        index[country.numeric] = country.alpha_2
    return index | ALIASES


@functools.lru_cache(maxsize=4096)  # a file repeats its few countries on every row
def resolve(value: str) -> str | None:
    """The alpha-2 code for a code (alpha-2, alpha-3, numeric) or a name; None when it is neither."""
    text = value.strip()
    if len(text) == 2 and text.isalpha():
        from iso3166 import countries_by_alpha2

        return text.upper() if text.upper() in countries_by_alpha2 else None
    if text.isdigit():
        text = text.zfill(3)
    return _lookup(_key(text))


@functools.cache
def _lookup(key: str) -> str | None:
    index = _index()
    if key in index:
        return index[key]
    named = re.fullmatch(r"(.+?) \((.+)\)", key)  # UN: "Iran (Islamic Republic of)"
    if named:
        return index.get(f"{named.group(1)}, {named.group(2)}") or index.get(named.group(1))
    return None


def suggestion(value: str) -> str | None:
    """A code to suggest for something that is not a country: UK -> GB, a misspelt name -> its code."""
    text = value.strip()
    if text.upper() in SUGGEST:
        return SUGGEST[text.upper()]
    if len(text) < 4:
        return None
    import difflib  # only a mistyped country pays for it

    close = difflib.get_close_matches(_key(text), list(_index()), n=1, cutoff=0.85)
    return _index()[close[0]] if close else None
