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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dbt_grounding.ask.text import STOP_WORDS, stem
from dbt_grounding.context.text_rules import fold_lookalikes
from dbt_grounding.warehouse.sql import NamePattern

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
    if text.isascii():  # look-alikes and invisible characters are all outside ASCII: 3x faster at 1M names
        return tuple(_TOKEN.findall(text.lower()))
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


class NameIndex:
    """Stored lookup values by their folded form without legal suffix, and by their first word; the words of the
    names (numbers left out) for the fuzzy tier. Lean on purpose (one string key and a tuple per name): at 1M
    customers it holds ~690k names. `joined` adds the few names a bound SELECT found for one question."""

    def __init__(self, stripped: Mapping[str, str | tuple[str, ...]], brands: Mapping[str, list[str]],
                 vocabulary: frozenset[str]) -> None:
        # " ".join(without_suffix(name_words(value))) -> the stored value, or values when several share the key (a
        # plain string for one: at 1M names a tuple each was 55 MB, and objects the garbage collector walks)
        self.stripped = stripped
        self.brands = brands  # first folded word -> the stored values
        self.vocabulary = vocabulary  # folded words of the names, numbers left out (never corrected)
        self._vocabulary_list = sorted(w for w in vocabulary if len(w) >= MIN_FUZZY_LENGTH)
        self._corrections: dict[str, str] = {}

    @classmethod
    def of(cls, values: Iterable[object]) -> NameIndex:
        stripped: dict[str, str | tuple[str, ...]] = {}
        brands: dict[str, list[str]] = {}
        vocabulary: set[str] = set()
        for value in values:
            if not isinstance(value, str):
                continue
            folded = name_words(value)
            if not folded or len(folded) > MAX_NAME_WORDS:
                continue
            key = " ".join(without_suffix(folded))
            held = stripped.get(key)
            if held is None:
                stripped[key] = value
            elif value not in _values(held):
                stripped[key] = (*_values(held), value)
            else:
                continue  # the same value from another mart or column
            brands.setdefault(folded[0], []).append(value)
            vocabulary.update(folded)
        # numbers stay out: never a misspelling of each other, and at 1M numbered names they were ~690k entries
        # difflib compared every unknown question word with
        return cls(stripped, brands, frozenset(w for w in vocabulary if not w.isdigit()))

    def joined(self, other: NameIndex) -> NameIndex:
        """This index with `other`'s names added (`other` small: only its keys are merged)."""
        stripped = _LayeredNames(self.stripped, other.stripped)
        brands = _LayeredNames(self.brands, other.brands)
        return NameIndex(stripped, brands, self.vocabulary | other.vocabulary)  # type: ignore[arg-type]

    def find(self, question: str, *, other_words: frozenset[str] = frozenset()) -> list[Mention]:
        """Names in the question, longest first, not overlapping. `other_words` are the terms the question may use
        about the data (the catalog's vocabulary): a brand followed by one of them, a stop word or nothing is a brand
        alone."""
        tokens = question_tokens(question)
        words = [t[0] for t in tokens]
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
            if taken[i] or not _brand_alone(words, i, capitalised, other_words) or word not in self.brands:
                continue
            mentions.append(Mention(begin, end, tuple(sorted(set(self.brands[word]))), "brand"))
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
        found = self.stripped.get(" ".join(stripped))
        if found is None:
            return None
        held = _values(found)
        values = set(held)
        exact = {value for value in held if name_words(value) == words}  # a handful: folded again, not stored
        if stripped != words and exact:
            return exact, "exact"  # the suffix as written picks the name that has it
        return values, "exact" if exact == values else "without_suffix"

    def _corrected(self, word: str) -> str:
        if len(word) < MIN_FUZZY_LENGTH or word in self.vocabulary or word in STOP_WORDS or word.isdigit():
            return word
        if word not in self._corrections:
            close = difflib.get_close_matches(word, self._vocabulary_list, n=1, cutoff=FUZZY_CUTOFF)
            if len(self._corrections) >= MAX_REMEMBERED_WORDS:
                self._corrections.clear()
            self._corrections[word] = close[0] if close else word
        return self._corrections[word]


class _LayeredNames:
    """A read-only view of two maps of names: a key's values from both (the big index is never copied)."""

    def __init__(self, first: Mapping[str, str | Sequence[str]], second: Mapping[str, str | Sequence[str]]) -> None:
        self._first, self._second = first, second

    def get(self, key: str) -> tuple[str, ...] | None:
        first, second = self._first.get(key), self._second.get(key)
        if first is None or second is None:
            found = first if second is None else second
            return None if found is None else _values(found)
        held = _values(first)
        return (*held, *(value for value in _values(second) if value not in held))

    def __contains__(self, key: str) -> bool:
        return key in self._first or key in self._second

    def __getitem__(self, key: str) -> tuple[str, ...]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found


def _values(held: str | Sequence[str]) -> tuple[str, ...]:
    return (held,) if isinstance(held, str) else tuple(held)


def question_tokens(question: str) -> list[tuple[str, int, int, bool]]:
    """The question's words as names are matched: (folded word without possessive, start, end, capitalised)."""
    text = _INVISIBLE.sub("", fold_lookalikes(question))
    return [(_possessive(m.group().casefold()), m.start(), m.end(), m.group()[:1].isupper())
            for m in _TOKEN.finditer(text)]


def _brand_alone(words: list[str], i: int, capitalised: bool, other_words: frozenset[str]) -> bool:
    """Whether word i may be a brand named alone: capitalised, not a stop word nor a catalog term, and followed by
    one of those or nothing ("Acme Rockets" names a company no one knows, not some Acme)."""
    word = words[i]
    if not capitalised or word in STOP_WORDS or stem(word) in other_words:
        return False
    following = words[i + 1] if i + 1 < len(words) else None
    return following is None or following in STOP_WORDS or stem(following) in other_words


MAX_SUFFIX_CHARS = 15  # ", Incorporated." and the like: what a one-word name may carry besides its word


def name_patterns(question: str, other_words: frozenset[str] = frozenset()
                  ) -> tuple[list[NamePattern], dict[int, NamePattern]]:
    """Patterns on the lower-cased stored value (LIKE, escape character "!") that every stored name `find` could
    match in this question satisfies: the SQL side of the lookup past the in-memory cap. Per word a name may start
    with (not a stop word nor a legal suffix), x the word after it: "w%x%" with either word cut to its first two
    letters (a longer name, one of its first two words misspelt: "Evregreen Networks", "Harbor Lasb"); "w%" with at
    most one more space and a legal suffix's length (a one-word name, "Maple Ltd."). Apart, by the word's offset in
    the question: "w%" whatever follows where a brand alone may be meant (at 1M, 18,908 names: asked only when no
    longer name covers the word). Prefixes, not substrings: "%retail%19%" matched thousands of the 1M build's names. Not
    found past the cap: a name with both of its first two words misspelt or either's first two letters, one that
    starts with a look-alike or invisible character, a one-word name with two suffixes."""
    tokens = question_tokens(question)
    words = [t[0] for t in tokens]
    patterns: dict[NamePattern, None] = {}
    brands: dict[int, NamePattern] = {}
    for i, word in enumerate(words):
        if word in STOP_WORDS or word in LEGAL_SUFFIXES:
            continue
        first = _escaped(word)
        if i + 1 < len(words):
            following = words[i + 1]
            second = _escaped(following)
            if len(following) >= MIN_FUZZY_LENGTH and not following.isdigit():
                patterns[NamePattern(f"{first}%{_escaped(following[:2])}%")] = None
            else:
                patterns[NamePattern(f"{first}%{second}%")] = None
            if len(word) >= MIN_FUZZY_LENGTH and not word.isdigit():
                patterns[NamePattern(f"{_escaped(word[:2])}%{second}%")] = None
        if _brand_alone(words, i, tokens[i][3], other_words):
            brands[tokens[i][1]] = NamePattern(f"{first}%")
        patterns[NamePattern(f"{first}%", f"{first}% % %", len(word) + MAX_SUFFIX_CHARS)] = None
    return list(patterns), brands


def _escaped(word: str) -> str:
    return word.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _possessive(word: str) -> str:
    """maple's -> maple; the name index never holds a possessive."""
    for ending in ("'s", "’s"):
        if word.endswith(ending):
            return word[: -len(ending)]
    return word
