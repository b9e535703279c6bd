"""Aliases a person can trust by eye: no control characters, no lookalikes.

An alias is chosen by whoever made the input; one that mixes scripts ("p\u0430ypal" with a Cyrillic
"\u0430") or differs from another alias only by lookalike letters makes a listing say what it does
not mean. :class:`Lookalikes` compares skeletons: NFKC, case-folded, with the Cyrillic and
Greek letters that look like Latin ones mapped onto them (a small table, enough for the
letters that matter in host and service names; Unicode's full confusables list is larger).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# C0 controls, DEL, C1 controls; the Unicode line/paragraph separators; the bidi marks,
# embeddings, overrides and isolates (U+061C, U+200E-F, U+202A-E, U+2066-9). The command line
# escapes these in everything it prints (cli.output.printable).
UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")

# Written as escapes so the source shows which letter is which.
_LOOKALIKES = (
    # Cyrillic
    (
        "\u0430\u0432\u0435\u0451\u0437\u0438\u0456\u0457\u0458\u043a\u043c\u043d\u043e\u043f\u0440\u0441\u0442\u0443\u0445\u0455\u0501\u051b\u051d\u044c\u04cf",
        "abee3uiijkmhonpctyxsdqwbl",
    ),
    # Greek
    (
        "\u03b1\u03b2\u03b5\u03b7\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7\u03c9\u03b6\u03b3\u03bc",
        "abenikvoptuxwzyu",
    ),
    # Digits and Latin letters that pass for others
    ("01\u0131", "oli"),
)
_CONFUSABLES = str.maketrans("".join(a for a, _ in _LOOKALIKES), "".join(b for _, b in _LOOKALIKES))


def has_control_characters(alias: str) -> bool:
    """C0, DEL, C1 and the bidi controls: never part of a name a person typed."""
    return UNSAFE_CHARACTERS.search(alias) is not None


def skeleton(alias: str) -> str:
    """The form two aliases share when they look alike."""
    return unicodedata.normalize("NFKC", alias).casefold().translate(_CONFUSABLES)


def scripts(alias: str) -> set[str]:
    """The scripts of the alias's letters (LATIN, CYRILLIC, GREEK…), from Unicode names."""
    found = set()
    for char in alias:
        if char.isalpha():
            name = unicodedata.name(char, "")
            found.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    return found


class Lookalikes:
    """The aliases of a store by skeleton, built once: each new alias is checked with one
    dictionary look-up, so importing 20,000 certificates stays linear."""

    def __init__(self, aliases: Iterable[str]) -> None:
        self._by_skeleton: dict[str, str] = {}
        for alias in aliases:
            self.add(alias)

    def add(self, alias: str) -> None:
        self._by_skeleton.setdefault(skeleton(alias), alias)

    def warning(self, alias: str) -> str | None:
        """Why ``alias`` could be mistaken for another, or None."""
        mixed = scripts(alias)
        if len(mixed) > 1:
            return (
                f"alias '{alias}' mixes letters of several scripts "
                f"({', '.join(sorted(mixed))}); it may be mistaken for another name"
            )
        other = self._by_skeleton.get(skeleton(alias))
        if other is not None and other.lower() != alias.lower():
            return f"alias '{alias}' looks like the alias '{other}' already in the store"
        return None


def numbered_aliases(alias: str, count: int) -> list[str]:
    """``A``, ``A-2``, ``A-3``… for the certificates of one file, in file order."""
    return [alias if i == 0 else f"{alias}-{i + 1}" for i in range(count)]
