"""`verify_answer(answer_text, documents)`: every number, date, status word, name and code an LLM's answer states,
checked against the documents it was given; deterministic, no network, no model.

A number is supported when a value of the documents rounds to it at the precision it is written to, in a compatible
unit ("$12.3k" for 12345.67, "80%" for 0.8, "$57,000" for 56988.60); when the words before it name a column of the
documents ("ARR of ..."), the value must be that column's. A date is supported when the documents hold it (a month
or a year alone: any date in it). A status word (an accepted value of the marts) is supported when a record has that
value ("not Healthy" when none has). A name is supported when the documents hold the entity it names; a person name
never is (documents mask them). README "Verifying answers" says what this does not catch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from dbt_grounding.ask.entities import NameIndex, name_words
from dbt_grounding.verify.claims import DateClaim, NumberClaim, find_codes, find_dates, find_numbers
from dbt_grounding.verify.evidence import Evidence, Fact, fold, gather
from dbt_grounding.verify.vocabulary import FRESHNESS_STATUSES, Vocabulary

ClaimKind = Literal["number", "date", "status", "name", "code"]
CURRENCIES = frozenset({"USD", "EUR", "GBP"})
GENERIC_WORDS = frozenset({"count", "date", "score", "value", "amount", "at", "in", "name"})
NEGATIONS = re.compile(r"\b(?:not|no longer|never|isn't|is not|wasn't|aren't|nor)\s+(?:\w+\s+)?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.;!?\n](?:\s|$)|\s(?:but|while|whereas)\s")
_PERSON_SPAN = re.compile(r"\b[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2}\b")
_LEGAL_NAME = re.compile(r"\b[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,4}\s+(?:Inc|Ltd|LLC|GmbH|Corp|Corporation|"
                         r"Limited|PLC|plc|AG|SA|BV|Co)\b\.?")
_PERIOD = re.compile(r"\s*(?:(?:a|per|each|/)\s*(month|mo|year|yr|annum)\b|(monthly|annually|yearly)\b)")
_MAX_AFTER = 40  # characters after a figure searched for the column it is about ("3 open tickets")


@dataclass(frozen=True)
class Claim:
    """One thing the answer states: its kind, the text and where it is, whether the documents support it and why."""

    kind: ClaimKind
    text: str
    start: int
    end: int
    supported: bool
    reason: str

    def __str__(self) -> str:
        """One line for reports: "'High Risk' (status, chars 20-29): no record has this value"."""
        return f"{self.text!r} ({self.kind}, chars {self.start}-{self.end}): {self.reason}"


@dataclass(frozen=True)
class Verification:
    """The claims of one answer, in the order they appear."""

    answer: str
    claims: tuple[Claim, ...]

    @property
    def supported(self) -> list[Claim]:
        return [claim for claim in self.claims if claim.supported]

    @property
    def unsupported(self) -> list[Claim]:
        return [claim for claim in self.claims if not claim.supported]

    @property
    def ok(self) -> bool:
        """Whether every claim is supported (an answer without claims is)."""
        return not self.unsupported

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "claims": [asdict(claim) for claim in self.claims],
                "unsupported": [claim.text for claim in self.unsupported]}


def verify_answer(answer_text: str, documents: Iterable[Any] | Any, *,
                  vocabulary: Vocabulary | None = None) -> Verification:
    """Check every claim of `answer_text` against `documents` (module docstring).

    Args:
        answer_text: the LLM's answer.
        documents: the documents it was given: ContextDocument objects, ask documents, or their compact, Markdown
            or JSON text (one or several).
        vocabulary: the project's status values, column synonyms and names (GroundingProject.verify builds it);
            without one, status words are the values the documents quote and names those the documents hold.

    Raises:
        ConfigurationError: a document of a kind that cannot be read.
    """
    evidence = gather(documents)
    vocabulary = vocabulary or Vocabulary()
    claims: list[Claim] = []
    codes = find_codes(answer_text)
    dates = find_dates(answer_text)
    claims += [_code(span.text, span.start, span.end, evidence) for span in codes]
    claims += [_date(found, evidence) for found in dates]
    taken = [(c.start, c.end) for c in claims]
    numbers = find_numbers(answer_text, taken)
    aliases = _aliases(evidence, vocabulary)
    previous_end = 0
    for index, number in enumerate(numbers):
        following = numbers[index + 1].start if index + 1 < len(numbers) else len(answer_text)
        column, previous_end = _column_named(answer_text, number, previous_end, following, aliases)
        claims.append(_number(number, column, evidence))
    taken = [(c.start, c.end) for c in claims]
    statuses = _status_claims(answer_text, evidence, vocabulary, taken)
    claims += statuses
    claims += _name_claims(answer_text, evidence, vocabulary, taken + [(c.start, c.end) for c in statuses])
    return Verification(answer_text, tuple(sorted(claims, key=lambda c: (c.start, c.end))))


def hallucination_rate(verifications: Sequence[Verification]) -> float:
    """The share of answers with at least one unsupported claim (0.0 for no answers)."""
    if not verifications:
        return 0.0
    return sum(1 for verification in verifications if not verification.ok) / len(verifications)


# ---------------------------------------------------------------------------------------------------- numbers

def _number(claim: NumberClaim, column: str | None, evidence: Evidence) -> Claim:
    facts = evidence.numbers()
    if claim.year_alone and any(date[0] == int(claim.value) for date in evidence.dates()):
        return Claim("date", claim.text, claim.start, claim.end, True, "a date of the documents is in that year")
    bound = [fact for fact in facts if fact.column == column] if column else []
    candidates = bound or facts
    for fact in candidates:
        if _matches(claim, fact):
            where = f"column {fact.column}" if fact.column else "the documents' text"
            return Claim("number", claim.text, claim.start, claim.end, True, f"{where} has {fact.text}"
                         + (f" {fact.unit}" if fact.unit else ""))
    if bound:
        held = ", ".join(sorted({f.text for f in bound}))
        return Claim("number", claim.text, claim.start, claim.end, False,
                     f"stated as {column}, which the documents give as {held}")
    return Claim("number", claim.text, claim.start, claim.end, False,
                 "no value of the documents rounds to it" + (f" in {claim.unit}" if claim.unit else ""))


def _matches(claim: NumberClaim, fact: Fact) -> bool:
    if not _units_agree(claim.unit, fact.unit):
        return False
    value = fact.number
    if claim.unit == "percent" and (fact.unit or "").lower() not in {"percent", "%"}:
        # "80%" states 0.8 (a share); a figure already in percent is compared as it is
        return abs(value * 100 - claim.value) <= claim.tolerance or abs(value - claim.value) <= claim.tolerance
    return abs(value - claim.value) <= claim.tolerance


def _units_agree(stated: str | None, held: str | None) -> bool:
    if stated is None or held is None:
        return True
    if stated == "percent":
        return held.lower() in {"percent", "%"}
    held_unit = held.upper() if held.upper() in CURRENCIES else held.lower()
    return stated == held_unit or (stated == "days" and held_unit == "day")


def _aliases(evidence: Evidence, vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """(phrase, column) for every numeric column of the documents: its name's words, them without a generic last
    word ('open ticket' for open_ticket_count), its initials (ARR), its synonyms."""
    numeric = {fact.column for fact in evidence.numbers() if fact.column}
    phrases: set[tuple[str, str]] = set()
    for column in numeric:
        words = column.lower().split("_")
        phrases.add((" ".join(words), column))
        while len(words) > 1 and words[-1] in GENERIC_WORDS:
            words = words[:-1]
            phrases.add((" ".join(words), column))
        if len(column.split("_")) >= 3:
            phrases.add(("".join(w[0] for w in column.split("_")), column))
        for synonym in vocabulary.synonyms.get(column, ()):
            phrases.add((synonym.lower(), column))
    return sorted(phrases)


def _column_named(text: str, number: NumberClaim, previous_end: int, following: int,
                  aliases: list[tuple[str, str]]) -> tuple[str | None, int]:
    """The column the words around a figure name: the phrase right after it, else the nearest before it in its
    clause (after the previous figure and the words that named it); and where the words about this figure end."""
    before_start = max([previous_end] + [m.end() for m in _SENTENCE_END.finditer(text, 0, number.start)])
    before = text[before_start:number.start].lower()
    after = text[number.end:min(following, number.end + _MAX_AFTER)].lower()
    after = after[:m.start()] if (m := _SENTENCE_END.search(after)) else after
    after_match = [(match.end(), column) for phrase, column in aliases
                   if (match := re.match(rf"\s+{re.escape(phrase)}s?\b", after))]
    if after_match:  # "2 open tickets": the words right after a figure name it
        length, column = max(after_match)
        return column, number.end + length
    period = _PERIOD.match(after)
    if period:  # "$898 a month": the column of that period (monthly_recurring_revenue), when the documents have one
        word = "monthly" if (period.group(1) or period.group(2)).startswith("mo") else "annual"
        columns = sorted({column for _, column in aliases if word in column.split("_")})
        if columns:
            return columns[0], number.end + period.end()
    best: tuple[int, int, str] | None = None
    for phrase, column in aliases:
        for match in re.finditer(rf"\b{re.escape(phrase)}s?\b", before):
            rank = (match.end(), len(phrase), column)
            best = rank if best is None or rank > best else best
    return (best[2] if best is not None else None), number.end


# ------------------------------------------------------------------------------------------------------ dates

def _date(claim: DateClaim, evidence: Evidence) -> Claim:
    for held in evidence.dates():
        if all(part is None or part == value for part, value in zip((claim.year, claim.month, claim.day), held)):
            return Claim("date", claim.text, claim.start, claim.end, True,
                         f"the documents hold {held[0]:04d}-{held[1]:02d}-{held[2]:02d}")
    return Claim("date", claim.text, claim.start, claim.end, False, "no date of the documents matches it")


def _code(text: str, start: int, end: int, evidence: Evidence) -> Claim:
    found = text in evidence.text()
    return Claim("code", text, start, end, found, "quoted in the documents" if found else "not in the documents")


# --------------------------------------------------------------------------------------------------- statuses

def _status_claims(text: str, evidence: Evidence, vocabulary: Vocabulary,
                   taken: list[tuple[int, int]]) -> list[Claim]:
    statuses = set(vocabulary.statuses) or set(evidence.quoted_values)
    statuses.update(FRESHNESS_STATUSES)
    held = evidence.strings()
    column_words = {tuple(column.lower().split("_")) for column in evidence.columns}
    claims: list[Claim] = []
    spans = list(taken)
    for status in sorted(statuses, key=lambda s: (-len(s), s)):
        pattern = r"\b" + r"\s+".join(re.escape(word) for word in status.split()) + r"\b"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            if any(match.start() < e and s < match.end() for s, e in spans):
                continue
            if _names_a_column(text, match, column_words):
                continue
            spans.append((match.start(), match.end()))
            found = fold(status) in held
            if NEGATIONS.search(text[max(0, match.start() - 30):match.start()]):
                claims.append(Claim("status", match.group(), match.start(), match.end(), not found,
                                    "denied, but a record has this value" if found else
                                    "denied, and no record has this value"))
            else:
                claims.append(Claim("status", match.group(), match.start(), match.end(), found,
                                    "a record has this value" if found else "no record has this value"))
    return claims


def _names_a_column(text: str, match: re.Match[str], column_words: set[tuple[str, ...]]) -> bool:
    """'active subscriptions', 'open tickets': the word starts a column's name, it is not a status."""
    following = re.match(r"\s+([a-z]+)", text[match.end():], re.IGNORECASE)
    if following is None:
        return False
    pair = (match.group().lower().split()[-1], following.group(1).lower().rstrip("s"))
    return any(pair == tuple(w.rstrip("s") for w in words[i:i + 2]) for words in column_words
               for i in range(len(words) - 1))


# ------------------------------------------------------------------------------------------------------ names

def _name_claims(text: str, evidence: Evidence, vocabulary: Vocabulary,
                 taken: list[tuple[int, int]]) -> list[Claim]:
    held_text = fold(evidence.text())
    held_names = {name_words(fact.text) for fact in evidence.facts
                  if fact.column and fact.number is None and fact.date is None
                  and (fact.column in vocabulary.lookup_columns or fact.column.endswith("name"))}
    index = NameIndex.of([*vocabulary.entity_names,
                          *(f.text for f in evidence.facts if f.column and f.column.endswith("name"))])
    claims: list[Claim] = []
    spans = list(taken)
    for mention in index.find(text):
        if any(mention.start < e and s < mention.end for s, e in spans):
            continue
        spans.append((mention.start, mention.end))
        found = any(name_words(value) in held_names or fold(value) in held_text for value in mention.values)
        claims.append(Claim("name", text[mention.start:mention.end], mention.start, mention.end, found,
                            "the documents are about it" if found else "the documents say nothing of it"))
    for match in _LEGAL_NAME.finditer(text):
        if any(match.start() < e and s < match.end() for s, e in spans):
            continue
        spans.append((match.start(), match.end()))
        found = name_words(match.group()) in held_names or fold(match.group()) in held_text
        claims.append(Claim("name", match.group(), match.start(), match.end(), found,
                            "the documents are about it" if found else "the documents say nothing of it"))
    if vocabulary.person_names is not None:
        for match in _PERSON_SPAN.finditer(text):
            if any(match.start() < e and s < match.end() for s, e in spans):
                continue
            if vocabulary.person_names.is_name(match.group()):
                spans.append((match.start(), match.end()))
                found = fold(match.group()) in held_text
                claims.append(Claim("name", match.group(), match.start(), match.end(), found,
                                    "quoted in the documents" if found else
                                    "a person's name the documents do not state (they mask names)"))
    return claims
