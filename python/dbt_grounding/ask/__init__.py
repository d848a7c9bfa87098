"""Questions, not keys: which grounding mart, which columns and which entity a question is about, with the documents
for it, or a typed "no grounding" that says why (README "Asking questions").

Modules: text (words of questions and metadata), bm25 (the scorer), catalog (the marts' searchable text), retrieval
(mart and column ranking), entities (names to keys), answer (the result), service (the flow and the index per
project)."""

from dbt_grounding.ask.answer import AskResult, Candidate, Confidence, Document, ScoredName
from dbt_grounding.ask.service import ask, lookup_names, visible_marts


def ground_question(project, question: str, *, filters=None) -> dict:
    """`project.ask` (the caller's role deciding which marts it may be answered from) as a JSON-able dict: the body of
    the agent tool `ground_question`."""
    return project.ask(question, filters=filters).as_dict()


__all__ = ["AskResult", "Candidate", "Confidence", "Document", "ScoredName", "ask", "ground_question",
           "lookup_names", "visible_marts"]
