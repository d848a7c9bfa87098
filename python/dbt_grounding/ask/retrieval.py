"""Which mart and which columns a question is about: BM25 over the marts' and the columns' text, plus declared
synonyms matched as whole phrases, with typos corrected against the catalog's own vocabulary first. With a
semantic scorer (ask.semantic), the order of marts and columns is the reciprocal rank fusion of BM25's and the
embedding's; the scores (what abstention is decided on) stay BM25's, the similarities are reported beside them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from dbt_grounding.ask.bm25 import BM25
from dbt_grounding.ask.catalog import MartEntry
from dbt_grounding.ask.semantic import SemanticScorer, reciprocal_rank_fusion
from dbt_grounding.ask.text import STOP_WORDS, stem, terms, words

SYNONYM_WEIGHT = 4.0  # a declared synonym phrase found in the question: worth a strongly matching BM25 term
TYPO_CUTOFF = 0.8  # difflib ratio for a question word to count as a misspelling of a catalog word
MIN_TYPO_LENGTH = 5  # shorter words are too easily another word ("arr" ~ "err")
DESCRIBED_BY = 2  # distinct question terms in a column's description that name it as well as its name does
MAX_REMEMBERED_WORDS = 10_000  # question words whose correction is remembered (difflib is most of a warm rank())


@dataclass(frozen=True)
class ScoredColumn:
    name: str
    score: float
    named: bool  # a question term is in the column's name, synonyms or accepted values, not only its description
    similarity: float = 0.0  # cosine similarity of the question and the column's text (0 without a semantic scorer)


@dataclass(frozen=True)
class MartMatch:
    mart: MartEntry
    score: float
    columns: tuple[ScoredColumn, ...]  # best first
    similarity: float = 0.0  # the mart's text or its best column, whichever is closer to the question


@dataclass(frozen=True)
class Ranking:
    marts: tuple[MartMatch, ...]  # best first
    terms: tuple[str, ...]  # the question's terms after typo correction
    unmatched: tuple[str, ...]  # terms no mart or column holds ("nps")
    best_named_score: float = 0.0  # BM25's best mart's best column named by the question: what abstention is decided on
    withheld: tuple[str, ...] = ()  # "mart.column" the caller is not shown that the question names more than any other

    @property
    def coverage(self) -> float:
        """Share of the question's terms some mart or column holds: 'what is their NPS' covers nothing."""
        return 1 - len(self.unmatched) / len(self.terms) if self.terms else 0.0


class Retriever:
    """BM25 indexes over the given marts and their columns, built once; with `semantic`, their embeddings too."""

    def __init__(self, marts: list[MartEntry], *, semantic: SemanticScorer | None = None) -> None:
        self.marts = marts
        self.semantic = semantic
        self._mart_index = BM25([terms(m.text) for m in marts])
        self._columns = [(m, c) for m in marts for c in m.columns]
        self._column_index = BM25([terms(c.text) for _, c in self._columns])
        self._identities = [frozenset(terms(c.identity)) for _, c in self._columns]
        self._described = [frozenset(terms(c.text)) for _, c in self._columns]
        self.vocabulary = frozenset(self._mart_index.idf) | frozenset(self._column_index.idf)
        self._withheld = [(f"{m.name}.{c.name}", frozenset(terms(c.identity))) for m in marts for c in m.withheld]
        # a word naming a withheld column is not a misspelling of a visible one ("contact" is not "contract")
        self._known = self.vocabulary.union(*(identity for _, identity in self._withheld))
        self._long_words = sorted(w for w in self.vocabulary if len(w) >= MIN_TYPO_LENGTH)
        self._column_phrases = [tuple(_phrase(p) for p in c.synonyms) for _, c in self._columns]
        self._mart_phrases = [tuple(_phrase(p) for p in m.spec.synonyms) for m in marts]
        self._corrections: dict[str, str] = {}
        if semantic is not None:
            self._column_vectors = semantic.embed([c.text for _, c in self._columns])
            self._mart_vectors = semantic.embed([m.text for m in marts])

    def rank(self, question: str, *, names: frozenset[str] = frozenset()) -> Ranking:
        """The marts and columns for `question`, best first. `names` are words taken for parts of names (terms):
        they neither match nor count as unmatched."""
        question_words = self._compounds([self._corrected(word) for word in words(question)])
        query = [stem(word) for word in question_words if word not in STOP_WORDS]
        phrase_text = f" {' '.join(stem(word) for word in question_words)} "
        mart_scores = self._mart_index.scores(query)
        column_scores = self._column_index.scores(query)
        for i, ((mart, column), phrases) in enumerate(zip(self._columns, self._column_phrases)):
            column_scores[i] += sum(SYNONYM_WEIGHT for phrase in phrases if phrase in phrase_text)
        column_similarities, mart_similarities = self._similarities(question)
        column_order = self._fused(column_scores, column_similarities)
        by_mart: dict[str, list[ScoredColumn]] = {m.name: [] for m in self.marts}
        asked = frozenset(query)
        for i in sorted(range(len(self._columns)), key=lambda i: (column_order[i], self._columns[i][1].name)):
            mart, column = self._columns[i]
            by_mart[mart.name].append(ScoredColumn(column.name, column_scores[i], self._named(asked, i),
                                                   column_similarities[i]))
        totals = []
        for mart, score, phrases, similarity in zip(self.marts, mart_scores, self._mart_phrases, mart_similarities):
            columns = by_mart[mart.name]
            bonus = sum(SYNONYM_WEIGHT for phrase in phrases if phrase in phrase_text)
            best_column = max((c.score for c in columns), default=0.0)
            best_similarity = max([similarity, *(c.similarity for c in columns)])
            totals.append((mart, score + bonus + best_column, tuple(columns), best_similarity))
        mart_order = self._fused([t[1] for t in totals], [t[3] for t in totals])
        matches = [MartMatch(*totals[i]) for i in sorted(range(len(totals)),
                                                          key=lambda i: (mart_order[i], totals[i][0].name))]
        counted = tuple(t for t in query if t not in names)
        unmatched = tuple(t for t in counted if t not in self.vocabulary)
        bm25_best = min(matches, key=lambda m: (-m.score, m.mart.name))  # the first match without a semantic scorer
        best_named = max((c.score for c in bm25_best.columns if c.named), default=0.0)
        return Ranking(tuple(matches), counted, unmatched, best_named, self._withheld_named(asked))

    def _withheld_named(self, asked: frozenset[str]) -> tuple[str, ...]:
        """The withheld columns the question names by more of its terms than it names any visible column by: the
        question is about them, and the other columns are no answer to it."""
        visible = max((len(asked & identity) for identity in self._identities), default=0)
        return tuple(sorted(name for name, identity in self._withheld if len(asked & identity) > visible))

    def _named(self, asked: frozenset[str], i: int) -> bool:
        """Whether the question names column i: a term in its name, synonyms or accepted values, or two terms in
        its description ("sum of completed orders"); one word of a description is too loose ("employees" is in
        account_owner's)."""
        return bool(asked & self._identities[i]) or len(asked & self._described[i]) >= DESCRIBED_BY

    def _similarities(self, question: str) -> tuple[list[float], list[float]]:
        """The question's cosine similarity to each column's text and each mart's (zeros without a scorer)."""
        if self.semantic is None:
            return [0.0] * len(self._columns), [0.0] * len(self.marts)
        vector = self.semantic.embed([question])[0]
        return [float(x) for x in self._column_vectors @ vector], [float(x) for x in self._mart_vectors @ vector]

    def _fused(self, scores: list[float], similarities: list[float]) -> list[float]:
        """Each item's place in the order: by BM25 score alone without a semantic scorer; else by the reciprocal
        rank fusion of the BM25 ranking (items that match at all) and the similarity ranking (items closer than
        orthogonal), BM25 score breaking ties. Lower is better."""
        if self.semantic is None:
            return [-score for score in scores]
        bm25 = sorted((i for i, score in enumerate(scores) if score > 0), key=lambda i: -scores[i])
        embedding = sorted((i for i, similarity in enumerate(similarities) if similarity > 0),
                           key=lambda i: -similarities[i])
        fused = reciprocal_rank_fusion([bm25, embedding])
        return [-(fused.get(i, 0.0) + scores[i] * 1e-9) for i in range(len(scores))]

    def _compounds(self, question_words: list[str]) -> list[str]:
        """Two question words the catalog holds as one ("log in", "logged in" -> "login"; "sign up" -> "signup"),
        joined: a phrasal verb written apart meets the noun written together. The first word may be inflected
        ("logged", "logging"): its base forms are tried too. A pair is joined only when the joined word is a catalog
        term and the two words apart are not both catalog terms (then they already match as they are)."""
        joined: list[str] = []
        i = 0
        while i < len(question_words):
            if i + 1 < len(question_words):
                first, second = question_words[i], question_words[i + 1]
                both_known = stem(first) in self.vocabulary and stem(second) in self.vocabulary
                compound = None if both_known else next(
                    (base + second for base in _base_forms(first) if stem(base + second) in self.vocabulary), None)
                if compound is not None:
                    joined.append(compound)
                    i += 2
                    continue
            joined.append(question_words[i])
            i += 1
        return joined

    def _corrected(self, word: str) -> str:
        """The catalog word a misspelled question word means ("reccuring" -> "recurring"), else the word."""
        if len(word) < MIN_TYPO_LENGTH or word in STOP_WORDS or stem(word) in self._known:
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


def _base_forms(word: str) -> tuple[str, ...]:
    """The word and the base forms of a regular past or present participle: logged -> log, logging -> log,
    signed -> sign, checking -> check (with the doubled consonant undone: "logg" -> "log")."""
    forms = [word]
    for ending in ("ed", "ing"):
        if len(word) > len(ending) + 2 and word.endswith(ending):
            base = word[: -len(ending)]
            forms.append(base)
            if len(base) > 2 and base[-1] == base[-2]:
                forms.append(base[:-1])
    return tuple(forms)
