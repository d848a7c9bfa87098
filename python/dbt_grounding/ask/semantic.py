"""The optional semantic scorer: a static embedding model installed as a package, nothing downloaded at run time.

A static model is a table of token vectors: a text's vector is the mean of its tokens' vectors, so embedding a
question is a tokenizer call and a mean (well under a millisecond), no neural network runs. The one used when
installed is WordLlama's `l2_supercat_256` (PyPI `wordllama`, `pip install -e '.[semantic]'`): 32,000 Llama-2
tokens x 256 dimensions, 16 MB, shipped inside the wheel with its tokenizer. Only its files are read, with numpy,
safetensors and tokenizers; WordLlama's own loader is not called (it may reach for the network when a file is
missing). Without the package, `installed()` is None and `ask` ranks with BM25 alone.

Any object with `name` and `embed(texts) -> unit vectors` (a numpy array, one row per text) is a scorer: pass it to
`Retriever(..., semantic=...)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Any, Protocol

MODEL_PACKAGE = "wordllama"
MODEL_WEIGHTS = ("weights", "l2_supercat_256.safetensors")
MODEL_TOKENIZER = ("tokenizers", "l2_supercat_tokenizer_config.json")
RRF_K = 60  # reciprocal rank fusion's constant (Cormack, Clarke and Buettcher, SIGIR 2009): rank 1 is worth 1/61


class SemanticScorer(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> Any:
        """One unit-length vector per text (a 2-D numpy array); a text without known tokens is all zeros."""


class StaticEmbedding:
    """Token vectors averaged, then scaled to unit length (cosine similarity is a dot product)."""

    def __init__(self, name: str, vectors: Any, tokenizer: Any) -> None:
        self.name = name
        self._vectors = vectors
        self._tokenizer = tokenizer

    def embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        out = np.zeros((len(texts), self._vectors.shape[1]), dtype=np.float32)
        for row, encoding in enumerate(self._tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            if encoding.ids:
                vector = self._vectors[encoding.ids].mean(axis=0)
                norm = float(np.linalg.norm(vector))
                if norm > 0:
                    out[row] = vector / norm
        return out


_LOADED: list[StaticEmbedding | None] = []


def installed() -> StaticEmbedding | None:
    """The packaged static model when its package (and numpy, safetensors, tokenizers) is installed, else None.
    Loaded once per process (~0.4 s: 16 MB of float16 read and widened to float32)."""
    if not _LOADED:
        _LOADED.append(_load())
    return _LOADED[0]


def _load() -> StaticEmbedding | None:
    try:
        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = resources.files(MODEL_PACKAGE)
    except ImportError:
        return None
    weights, tokenizer = root.joinpath(*MODEL_WEIGHTS), root.joinpath(*MODEL_TOKENIZER)
    if not (weights.is_file() and tokenizer.is_file()):
        return None  # a build of the package without its weights: BM25 alone, never a download
    tensors = load_file(str(weights))
    vectors = next(iter(tensors.values())).astype(np.float32)
    return StaticEmbedding(f"{MODEL_PACKAGE}/{MODEL_WEIGHTS[-1]}", vectors, Tokenizer.from_file(str(tokenizer)))


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """Each item's fused score: the sum over the rankings (item ids, best first) of 1 / (k + rank), rank from 1.
    An item absent from a ranking gets nothing from it."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused
