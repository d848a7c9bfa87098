"""Words of a question and of a mart's metadata, in one form both sides compare: lower case, snake_case and
camelCase split, stop words dropped, a light plural stem, so "ticketCount", "ticket_count" and "tickets count" meet."""

from __future__ import annotations

import re

from dbt_grounding.context.text_rules import fold_lookalikes

# words that say nothing about which mart or column is meant: common English plus question scaffolding
STOP_WORDS = frozenset("""
a about an and any are as at be been being by can could did do does doing for from had has have how i if in into
is it its itself me my of on or our please show so tell than that the their them then there these they this those
to us was we were what whats when where which who whom why will with would you your give get much many
know like doing looking look up want need check find say tell right now today currently current latest our hey
hi hello thanks quick question just also all some s t ll re ve m d
""".split())

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[A-Za-z0-9]+")
_HYPHENATED = re.compile(r"\b[A-Za-z]+(?:-[A-Za-z]+)+\b")


def words(text: str) -> list[str]:
    """Lower-case words of `text`, camelCase and snake_case split, punctuation dropped (stop words kept). A
    hyphenated word counts as its parts and joined too: "e-mail" meets "email", "log-in" meets "login"."""
    text = fold_lookalikes(text)
    joined = [match.group().replace("-", "").lower() for match in _HYPHENATED.finditer(text)]
    return [word.lower() for word in _WORD.findall(_CAMEL.sub(" ", text))] + joined


def stem(word: str) -> str:
    """A light stem: plurals (tickets -> ticket, statuses -> status, companies -> company) and -ly adverbs and
    adjectives (monthly -> month, recently -> recent); short words kept."""
    if len(word) > 5 and word.endswith("ly"):
        return word[:-2]
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The searchable terms of `text`: words() without stop words, stemmed."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]
