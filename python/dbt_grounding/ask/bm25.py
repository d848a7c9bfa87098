"""Okapi BM25 over a small fixed corpus, in process: a mart's columns are tens to hundreds of short documents, so a
dictionary of term frequencies per document is all it takes (no index library)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence


class BM25:
    """Scores a query's terms against each document (a list of terms).

    k1 saturates a term repeated within a document; b normalises for document length (Robertson and Zaragoza,
    "The Probabilistic Relevance Framework: BM25 and Beyond", 2009). The idf is the non-negative form
    log(1 + (N - n + 0.5) / (n + 0.5)), so a term in every document adds little but never subtracts.
    """

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._frequencies = [Counter(document) for document in documents]
        self._lengths = [len(document) for document in documents]
        count = len(documents)
        self._average_length = (sum(self._lengths) / count) if count else 0.0
        containing = Counter(term for frequencies in self._frequencies for term in frequencies)
        self.idf = {term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in containing.items()}

    def __len__(self) -> int:
        return len(self._frequencies)

    def scores(self, query: Sequence[str]) -> list[float]:
        """One score per document, in document order; 0 for a document sharing no term with the query."""
        results = []
        known = [term for term in dict.fromkeys(query) if term in self.idf]  # a repeated query term counts once
        for frequencies, length in zip(self._frequencies, self._lengths):
            norm = self.k1 * (1 - self.b + self.b * length / self._average_length) if self._average_length else 0
            score = 0.0
            for term in known:
                tf = frequencies.get(term, 0)
                if tf:
                    score += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            results.append(score)
        return results
