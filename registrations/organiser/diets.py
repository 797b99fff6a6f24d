"""Free-text dietary needs grouped as the caterers count them: "Sans porc", "No pork" and
"no pork " are one need, "Vegan", "Végétalien" and "végane" another, whatever the case, accents
and language (English and French) delegates wrote them in. Structured answers come with the
custom questions; this is for what was typed."""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from registrations.collation import search_fold


@dataclass(frozen=True)
class DietGroup:
    key: str  # the canonical need, or the folded text of one that is not in the table
    label: str  # its name in the active language, or the most common spelling
    count: int


# Anything but letters and digits separates words: "gluten-free" is "gluten free".
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def diet_fold(text: str) -> str:
    """The text as the synonyms are written: lower-case ASCII words, single spaces."""
    return " ".join(_SEPARATORS.sub(" ", search_fold(text)).split())


# Each canonical need, its name, and how delegates write it (folded), in English and French.
DIET_SYNONYMS: dict[str, tuple[Promise, tuple[str, ...]]] = {
    "no_pork": (
        _("No pork"),
        ("no pork", "pork free", "without pork", "sans porc", "pas de porc", "porc exclu"),
    ),
    "vegan": (
        _("Vegan"),
        ("vegan", "vegane", "vegetalien", "vegetalienne", "plant based", "vegetalisme"),
    ),
    "vegetarian": (
        _("Vegetarian"),
        ("vegetarian", "veggie", "vegetarien", "vegetarienne", "vegetarisme"),
    ),
    "pescatarian": (
        _("Pescatarian"),
        ("pescatarian", "pescetarian", "pescetarien", "pescetarienne", "pescatarien"),
    ),
    "halal": (_("Halal"), ("halal", "hallal")),
    "kosher": (_("Kosher"), ("kosher", "casher", "cacher", "kasher", "kascher")),
    "gluten_free": (
        _("Gluten-free"),
        (
            "gluten free",
            "no gluten",
            "without gluten",
            "sans gluten",
            "coeliac",
            "celiac",
            "coeliaque",
            "celiaque",
        ),
    ),
    "lactose_free": (
        _("Lactose-free"),
        ("lactose free", "no lactose", "lactose intolerant", "sans lactose"),
    ),
    "nut_allergy": (
        _("Nut allergy"),
        (
            "nut allergy",
            "nuts allergy",
            "no nuts",
            "nut free",
            "allergie aux noix",
            "allergie aux fruits a coque",
            "sans noix",
            "sans fruits a coque",
        ),
    ),
}

_CANONICAL = {
    synonym: key for key, (_label, synonyms) in DIET_SYNONYMS.items() for synonym in synonyms
}


def diet_groups(needs: Iterable[tuple[str, int]]) -> list[DietGroup]:
    """Needs as typed and how many delegates typed each, grouped: the table's needs under their
    name, any other by its folded text under its most common spelling (the first in
    alphabetical order among equals); most frequent first. Empty texts are left out."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for text, count in needs:
        folded = diet_fold(text or "")
        if not folded:
            continue
        key = _CANONICAL.get(folded, folded)
        counts[key] += count
        spellings.setdefault(key, Counter())[" ".join(text.split())] += count

    def label(key: str) -> str:
        if key in DIET_SYNONYMS:
            return str(DIET_SYNONYMS[key][0])
        return min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]

    groups = [DietGroup(key, label(key), count) for key, count in counts.items()]
    return sorted(groups, key=lambda group: (-group.count, group.label.casefold()))
