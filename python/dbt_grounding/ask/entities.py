"""Names in a question resolved to keys: "maple software ltd", "MAPLE SOFTWARE LTD." and "Maple Software Ltd"
are one name once case, punctuation, look-alike characters and spacing are folded.

Tiers, strongest first: the name with its legal suffix as written ("Maple Software Ltd"), the name without legal
suffixes ("Maple Software" also names "Maple Software Ltd": both come back when both exist), a bounded fuzzy match
(each misspelt word corrected to a word of the known names, difflib ratio >= 0.8, words of 4+ letters; numbers are
matched as written: "Harbor Labs 48214" is another customer than "Harbor Labs 48213"), and a brand
alone ("is Maple at risk?": every name starting with it, as candidates). A name that several keys share is
ambiguous: the candidates come back with their keys, never a pick.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from dbt_grounding.ask.text import STOP_WORDS, stem
from dbt_grounding.context.text_rules import fold_lookalikes

LEGAL_SUFFIXES = frozenset({"ltd", "limited", "inc", "incorporated", "llc", "gmbh", "co", "corp", "corporation",
                            "plc", "ag", "sa", "bv", "nv", "pty", "sarl", "srl", "lp", "llp"})
FUZZY_CUTOFF = 0.8
MIN_FUZZY_LENGTH = 4
MAX_NAME_WORDS = 8
MAX_REMEMBERED_WORDS = 10_000  # question words whose correction is remembered (difflib is most of a warm find())
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff]")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def name_words(text: str) -> tuple[str, ...]:
    """A name's words, folded: case, punctuation, look-alikes, zero-width characters and spacing don't count."""
    return tuple(_TOKEN.findall(_INVISIBLE.sub("", fold_lookalikes(text)).casefold()))


def without_suffix(name: tuple[str, ...]) -> tuple[str, ...]:
    """The name without trailing legal suffixes ("maple software ltd" -> "maple software"); never empty."""
    end = len(name)
    while end > 1 and name[end - 1] in LEGAL_SUFFIXES:
        end -= 1
    return name[:end]


@dataclass(frozen=True)
class Mention:
    """A name found in the question: the span of question words, the stored values it may mean, how it matched."""

    start: int  # character offsets in the question
    end: int
    values: tuple[str, ...]  # the lookup values as stored, sorted
    match: str  # "exact" | "without_suffix" | "fuzzy" | "brand"

    @property
    def confidence(self) -> float:
        return {"exact": 1.0, "without_suffix": 0.95, "fuzzy": 0.8, "brand": 0.5}[self.match]


@dataclass
class NameIndex:
    """Stored lookup values by their folded form, with and without legal suffix, and by their first word."""

    exact: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    stripped: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    brands: dict[str, set[str]] = field(default_factory=dict)
    vocabulary: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, values: Iterable[object]) -> NameIndex:
        index = cls()
        for value in values:
            if not isinstance(value, str):
                continue
            folded = name_words(value)
            if not folded or len(folded) > MAX_NAME_WORDS:
                continue
            index.exact.setdefault(folded, set()).add(value)
            index.stripped.setdefault(without_suffix(folded), set()).add(value)
            index.brands.setdefault(folded[0], set()).add(value)
            index.vocabulary.update(folded)
        # numbers stay out: never a misspelling of each other, and at 1M numbered names they were ~690k entries
        # difflib compared every unknown question word with
        index._vocabulary_list = sorted(w for w in index.vocabulary if len(w) >= MIN_FUZZY_LENGTH and not w.isdigit())
        index._corrections = {}
        return index

    def find(self, question: str, *, other_words: frozenset[str] = frozenset()) -> list[Mention]:
        """Names in the question, longest first, not overlapping. `other_words` are the terms the question may use
        about the data (the catalog's vocabulary): a brand followed by one of them, a stop word or nothing is a brand
        alone."""
        text = _INVISIBLE.sub("", fold_lookalikes(question))
        tokens = [(m.group().casefold(), m.start(), m.end(), m.group()[:1].isupper()) for m in _TOKEN.finditer(text)]
        words = [_possessive(t[0]) for t in tokens]
        corrected = [self._corrected(w) for w in words]
        taken = [False] * len(tokens)
        mentions: list[Mention] = []
        for size in range(min(MAX_NAME_WORDS, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                span = range(start, start + size)
                if any(taken[i] for i in span) or words[start] in STOP_WORDS:
                    continue
                found = self._match(tuple(words[i] for i in span), tuple(corrected[i] for i in span))
                if found is not None:
                    values, match = found
                    mentions.append(Mention(tokens[start][1], tokens[start + size - 1][2], tuple(sorted(values)), match))
                    for i in span:
                        taken[i] = True
        for i, (word, begin, end, capitalised) in enumerate(tokens):  # a brand alone: "Is Maple at risk?"
            following = words[i + 1] if i + 1 < len(words) else None
            if (taken[i] or not capitalised or word in STOP_WORDS or stem(word) in other_words
                    or word not in self.brands):
                continue
            if following is not None and following not in STOP_WORDS and stem(following) not in other_words:
                continue  # "Acme Rockets" names a company no one knows, not some Acme
            mentions.append(Mention(begin, end, tuple(sorted(self.brands[word])), "brand"))
            taken[i] = True
        return sorted(mentions, key=lambda m: m.start)

    def _match(self, words: tuple[str, ...], corrected: tuple[str, ...]) -> tuple[set[str], str] | None:
        found = self._folded_match(words)
        if found is None and corrected != words and len(without_suffix(corrected)) > 1:
            found = self._folded_match(corrected)
            return (found[0], "fuzzy") if found is not None else None
        return found

    def _folded_match(self, words: tuple[str, ...]) -> tuple[set[str], str] | None:
        stripped = without_suffix(words)
        if stripped != words and words in self.exact:
            return self.exact[words], "exact"  # the suffix as written picks the name that has it
        if stripped in self.stripped:
            exact = words in self.exact and self.exact[words] == self.stripped[stripped]
            return self.stripped[stripped], "exact" if exact else "without_suffix"
        return None

    def _corrected(self, word: str) -> str:
        if len(word) < MIN_FUZZY_LENGTH or word in self.vocabulary or word in STOP_WORDS or word.isdigit():
            return word
        if word not in self._corrections:
            close = difflib.get_close_matches(word, self._vocabulary_list, n=1, cutoff=FUZZY_CUTOFF)
            if len(self._corrections) >= MAX_REMEMBERED_WORDS:
                self._corrections.clear()
            self._corrections[word] = close[0] if close else word
        return self._corrections[word]


def _possessive(word: str) -> str:
    """maple's -> maple; the name index never holds a possessive."""
    for ending in ("'s", "’s"):
        if word.endswith(ending):
            return word[: -len(ending)]
    return word
