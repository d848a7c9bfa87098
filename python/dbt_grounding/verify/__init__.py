"""Answer verification, the output guardrail: check what an LLM's answer states against the context documents it
was given (`verify_answer`), and the share of answers with an unsupported claim (`hallucination_rate`).

    verification = verify_answer("Northwind Health is Healthy, ARR $57.0k as of June 30, 2026", [document])
    verification.ok            # every number, date, status word and name is in the documents
    verification.unsupported   # the claims that are not, each with its text span and why
"""

from dbt_grounding.verify.verifier import Claim, Verification, hallucination_rate, verify_answer
from dbt_grounding.verify.vocabulary import Vocabulary, manifest_vocabulary

__all__ = ["Claim", "Verification", "Vocabulary", "hallucination_rate", "manifest_vocabulary", "verify_answer"]
