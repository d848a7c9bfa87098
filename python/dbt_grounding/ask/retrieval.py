"""Which mart and which columns a question is about: BM25 over the marts' and the columns' text, plus declared
synonyms matched as whole phrases, with typos corrected against the catalog's own vocabulary first."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from dbt_grounding.ask.bm25 import BM25
from dbt_grounding.ask.catalog import MartEntry
from dbt_grounding.ask.text import STOP_WORDS, stem, terms, words

SYNONYM_WEIGHT = 4.0  # a declared synonym phrase found in the question: worth a strongly matching BM25 term
TYPO_CUTOFF = 0.8  # difflib ratio for a question word to count as a misspelling of a catalog word
MIN_TYPO_LENGTH = 5  # shorter words are too easily another word ("arr" ~ "err")
MAX_REMEMBERED_WORDS = 10_000  # question words whose correction is remembered (difflib is most of a warm rank())


@dataclass(frozen=True)
class ScoredColumn:
    name: str
    score: float
    named: bool  # a question term is in the column's name, synonyms or accepted values, not only its description


@dataclass(frozen=True)
class MartMatch:
    mart: MartEntry
    score: float
    columns: tuple[ScoredColumn, ...]  # best first


@dataclass(frozen=True)
class Ranking:
    marts: tuple[MartMatch, ...]  # best first
    terms: tuple[str, ...]  # the question's terms after typo correction
    unmatched: tuple[str, ...]  # terms no mart or column holds ("nps")

    @property
    def coverage(self) -> float:
        """Share of the question's terms some mart or column holds: 'what is their NPS' covers nothing."""
        return 1 - len(self.unmatched) / len(self.terms) if self.terms else 0.0


class Retriever:
    """BM25 indexes over the given marts and their columns, built once."""

    def __init__(self, marts: list[MartEntry]) -> None:
        self.marts = marts
        self._mart_index = BM25([terms(m.text) for m in marts])
        self._columns = [(m, c) for m in marts for c in m.columns]
        self._column_index = BM25([terms(c.text) for _, c in self._columns])
        self._identities = [frozenset(terms(c.identity)) for _, c in self._columns]
        self.vocabulary = frozenset(self._mart_index.idf) | frozenset(self._column_index.idf)
        self._long_words = sorted(w for w in self.vocabulary if len(w) >= MIN_TYPO_LENGTH)
        self._column_phrases = [tuple(_phrase(p) for p in c.synonyms) for _, c in self._columns]
        self._mart_phrases = [tuple(_phrase(p) for p in m.spec.synonyms) for m in marts]
        self._corrections: dict[str, str] = {}

    def rank(self, question: str, *, names: frozenset[str] = frozenset()) -> Ranking:
        """The marts and columns for `question`, best first. `names` are words taken for parts of names (terms):
        they neither match nor count as unmatched."""
        question_words = [self._corrected(word) for word in words(question)]
        query = [stem(word) for word in question_words if word not in STOP_WORDS]
        phrase_text = f" {' '.join(stem(word) for word in question_words)} "
        mart_scores = self._mart_index.scores(query)
        column_scores = self._column_index.scores(query)
        by_mart: dict[str, list[ScoredColumn]] = {m.name: [] for m in self.marts}
        asked = frozenset(query)
        for (mart, column), score, identity, phrases in zip(self._columns, column_scores, self._identities,
                                                            self._column_phrases):
            bonus = sum(SYNONYM_WEIGHT for phrase in phrases if phrase in phrase_text)
            by_mart[mart.name].append(ScoredColumn(column.name, score + bonus, bool(asked & identity)))
        matches = []
        for mart, score, phrases in zip(self.marts, mart_scores, self._mart_phrases):
            columns = sorted(by_mart[mart.name], key=lambda c: (-c.score, c.name))
            bonus = sum(SYNONYM_WEIGHT for phrase in phrases if phrase in phrase_text)
            best_column = columns[0].score if columns else 0.0
            matches.append(MartMatch(mart, score + bonus + best_column, tuple(columns)))
        matches.sort(key=lambda m: (-m.score, m.mart.name))
        counted = tuple(t for t in query if t not in names)
        unmatched = tuple(t for t in counted if t not in self.vocabulary)
        return Ranking(tuple(matches), counted, unmatched)

    def _corrected(self, word: str) -> str:
        """The catalog word a misspelled question word means ("reccuring" -> "recurring"), else the word."""
        if len(word) < MIN_TYPO_LENGTH or word in STOP_WORDS or stem(word) in self.vocabulary:
            return word
        if word not in self._corrections:
            close = difflib.get_close_matches(word, self._long_words, n=1, cutoff=TYPO_CUTOFF)
            if len(self._corrections) >= MAX_REMEMBERED_WORDS:
                self._corrections.clear()
            self._corrections[word] = close[0] if close else word
        return self._corrections[word]


def _phrase(phrase: str) -> str:
    """A synonym in the form the question is searched in: words stemmed, space-delimited."""
    return f" {' '.join(stem(word) for word in words(phrase))} "
