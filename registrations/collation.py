"""How names sort and how they are searched, decided in one place.

Sorting follows the Unicode Collation Algorithm (pyuca, the default table): Łukasiewicz comes
among the L, Ærø among the A, Đorđević among the D, whatever the script. Its key is a tuple of
16-bit weights; `name_sort_key` writes it as text, four hex digits a weight, so that a stored
key orders the same with a plain ORDER BY on any database: hex digits compare in the same order
as bytes in every collation, and a key that is the prefix of another sorts first, as the tuple
does. The rows keep it (Registration.sort_name, Authority.sort_name), so the admin, the exports
and the badge sheets all sort by the same key, in SQL or in Python.

Searching folds both the stored text and what is typed to lower-case ASCII (anyascii, then
casefold): "aero" finds Ærø, "lodz" Łódź. A few letters have a second usual spelling on a
keyboard (đ is written dj in Serbia and Croatia, ø oe in Denmark and Norway, ü ue in Germany…):
the stored text holds that spelling too, so "djordjevic" finds Đorđević as "dordevic" does."""

from functools import cache, lru_cache

import pyuca
from anyascii import anyascii

# Between the last name's key and the first name's: below every weight (pyuca's weights are
# never 0; 0 only separates the levels), so that the last name decides before the first does.
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
def sort_key(text: str) -> str:
    """The collation key of one text, as fixed-width hex: compare these strings as the texts
    should be ordered."""
    return "".join(f"{weight:04x}" for weight in _collator().sort_key(" ".join(text.split())))


def name_sort_key(last_name: str, first_name: str = "") -> str:
    """The key that orders people by last name, then first name."""
    return f"{sort_key(last_name)}{SORT_KEY_SEPARATOR}{sort_key(first_name)}"


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
