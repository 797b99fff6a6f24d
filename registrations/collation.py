"""How names sort and how they are searched, decided in one place.

Sorting follows the Unicode Collation Algorithm (pyuca, the default table): Łukasiewicz comes
among the L, Ærø among the A, Đorđević among the D, whatever the script. Its key is a tuple of
16-bit weights, level by level (all the primary weights, the letters, then a 0, the secondary
ones, the accents, a 0, the tertiary ones, the case…); `sort_key` writes it as text, four hex
digits a weight, so that a stored key orders the same with a plain ORDER BY on any database: hex
digits compare in the same order as bytes in every collation, and a key that is the prefix of
another sorts first, as the tuple does. A person's key (`name_sort_key`) interleaves the levels
of the two names as the algorithm would for "last first" as one text: both names' letters
decide before any accent or case does, so López Anna comes before Lopez Zoe. The rows keep the
keys (Registration.sort_name, Authority.sort_name), so the admin, the exports and the badge
sheets all sort by the same key, in SQL or in Python.

Searching folds both the stored text and what is typed to lower-case ASCII (anyascii, then
casefold): "aero" finds Ærø, "lodz" Łódź. A few letters have a second usual spelling on a
keyboard (đ is written dj in Serbia and Croatia, ø oe in Denmark and Norway, ü ue in Germany…):
the stored text holds that spelling too, so "djordjevic" finds Đorđević as "dordevic" does."""

from functools import cache, lru_cache
from itertools import zip_longest

import pyuca
from anyascii import anyascii

# Between the levels of a key, and between the last name's weights and the first name's at each
# level: below every weight (pyuca's weights are never 0; 0 only separates the levels), so that
# at each level the last name decides before the first does, and a shorter name ("Lo") sorts
# before a longer one that it begins ("Lopez") whatever follows.
LEVEL_SEPARATOR = "0000"
SORT_KEY_SEPARATOR = "0000"

# The second usual ASCII spelling of letters whose anyascii form is another one.
ALTERNATIVE_SPELLINGS = str.maketrans(
    {
        "đ": "dj",
        "Đ": "Dj",
        "ø": "oe",
        "Ø": "Oe",
        "ö": "oe",
        "Ö": "Oe",
        "ü": "ue",
        "Ü": "Ue",
        "ä": "ae",
        "Ä": "Ae",
        "å": "aa",
        "Å": "Aa",
    }
)


@cache
def _collator() -> pyuca.Collator:
    # Reads the collation table (about a second): once per process, when first needed.
    return pyuca.Collator()


# pyuca's keys are computed in Python, a few hundred microseconds a name: names repeat (first
# names above all), so recent ones are kept.
@lru_cache(maxsize=8192)
def _levels(text: str) -> tuple[str, ...]:
    """The collation key of one text level by level (primary, secondary, tertiary…), each
    level's weights as fixed-width hex, without the separators."""
    levels: list[list[int]] = [[]]
    for weight in _collator().sort_key(" ".join(text.split())):
        if weight:
            levels[-1].append(weight)
        else:
            levels.append([])
    return tuple("".join(f"{weight:04x}" for weight in level) for level in levels)


def sort_key(text: str) -> str:
    """The collation key of one text, as fixed-width hex: compare these strings as the texts
    should be ordered."""
    return LEVEL_SEPARATOR.join(_levels(text))


def name_sort_key(last_name: str, first_name: str = "") -> str:
    """The key that orders people by last name, then first name, as the collation orders the
    one text "last first": at each level (letters, then accents, then case) the last name's
    weights, then the first name's."""
    return LEVEL_SEPARATOR.join(
        f"{last}{SORT_KEY_SEPARATOR}{first}"
        for last, first in zip_longest(_levels(last_name), _levels(first_name), fillvalue="")
    )


def search_fold(text: str) -> str:
    """The text as searched: lower-case ASCII, spaces collapsed. Applied to what is typed."""
    return " ".join(anyascii(text).casefold().split())


def search_text(*texts: str) -> str:
    """What a search looks into for these texts (a person's names, an authority's name): each
    folded, then its second usual spelling when it has one, separated by spaces."""
    spellings: list[str] = []
    for text in texts:
        folded = search_fold(text)
        if not folded:
            continue
        spellings.append(folded)
        alternative = search_fold(text.translate(ALTERNATIVE_SPELLINGS))
        if alternative != folded:
            spellings.append(alternative)
    return " ".join(spellings)
