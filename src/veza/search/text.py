"""What a query says: its words folded as the indexes fold them, its quoted phrases and its
excluded words, and the typo rule. Pure functions, the same for both databases."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from veza.kit.lazy import LazyModule

if TYPE_CHECKING:
    from rapidfuzz import distance
else:
    distance = LazyModule("rapidfuzz.distance")  # 2.8 MiB, from the first typo correction on

# Letters NFKD does not decompose, folded as PostgreSQL's unaccent folds them.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "ð": "d"}
)
# A word: letters and digits (what FTS5's unicode61 and our PostgreSQL folding keep).
_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
# Typo tolerance: words of this many letters may have one typo (up to TYPO_MAX_LENGTH: longer
# strings are not words anyone misspells, and their one-edit neighbourhood grows with them).
TYPO_MIN_LENGTH = 5
TYPO_MAX_LENGTH = 30


def fold(text: str) -> str:
    """Lower case without diacritics: "Beyoncé" -> "beyonce", "Sigur Rós" -> "sigur ros"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(_LETTERS)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class ParsedQuery:
    """The words to match (all of them, in any order), the phrases to match as written, the
    words to exclude, and whether the last word is still being typed (a prefix)."""

    words: list[str]
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    last_is_prefix: bool = True

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases


def _excludes(chunk: str) -> bool:
    return chunk.startswith("-") and len(chunk) > 1


def parse(text: str) -> ParsedQuery:
    """``daft pun`` -> words daft, pun (pun a prefix); ``"one more" -daft`` -> a phrase and an
    exclusion (the web-search syntax, as PostgreSQL's websearch_to_tsquery reads it)."""
    phrases = [words(p) for p in _PHRASE.findall(text)]
    rest = _PHRASE.sub(" ", text)
    chunks = rest.split()
    kept: list[str] = []
    excluded: list[str] = []
    for chunk in chunks:
        if _excludes(chunk):
            excluded.extend(words(chunk[1:]))
        else:
            kept.extend(words(chunk))
    # The last word is being typed only when the text ends inside it: "r.e.m." and "daft -x"
    # end with finished words, and a prefix of one letter ("m"*) is the broadest match there is.
    ends_open = bool(chunks) and bool(words(text[-1:])) and not _excludes(chunks[-1])
    return ParsedQuery(
        words=kept[:MAX_WORDS],
        phrases=[p for p in phrases if p][:MAX_WORDS],
        excluded=excluded[:MAX_WORDS],
        last_is_prefix=ends_open and bool(kept),
    )


def typo_distance(word: str, candidate: str) -> int:
    """Edits between two words, a swap of neighbours counting as one ("metalica" ->
    "metallica" is 1, "paranoid" -> "praanoid" is 1)."""
    return int(distance.OSA.distance(word, candidate))


def corrections(word: str, vocabulary: list[str], limit: int = 3) -> list[str]:
    """The words of ``vocabulary`` one typo from ``word``, nearest first (then shorter, then
    alphabetical: a declarative order)."""
    budget = 1
    scored = sorted(
        (typo_distance(word, candidate), len(candidate), candidate)
        for candidate in set(vocabulary)
        if candidate != word and abs(len(candidate) - len(word)) <= budget
    )
    return [candidate for distance, _, candidate in scored if distance <= budget][:limit]
