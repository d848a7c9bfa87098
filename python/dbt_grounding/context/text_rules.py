"""The text rules shared with the SQL macros (macros/grounding/): look-alike folding, e-mail addresses, phone
numbers and text addressed to an AI model. The SQL twins are `dbt_grounding.fold_lookalikes`, `mask_pii` and
`instruction_like_text`; python/tests/test_text_rules_agree_with_sql.py runs both on the same inputs
through real dbt and fails on any difference, so change one only together with the other.

The patterns are written for four regex engines at once (Python, RE2 in DuckDB, PostgreSQL, Java in Spark): no
backslash, no lookaround, no `\\b`, no `[` or `]` inside a bracket expression. A boundary is therefore a captured
character that the replacement puts back, and phone numbers are replaced in two passes so that two numbers sharing
one separator are both found.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from dbt_grounding.context._text_rules_tables import MATCHING_FOLD, SERVING_FOLD

EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER = "[email]", "[phone]"

# ------------------------------------------------------------------ look-alike folding

# The fold tables (_text_rules_tables.py, generated with the SQL macros by scripts/generate_text_rules_macros.py)
# are committed data, so the Python and SQL copies are the same whatever Unicode version the running Python has.
# compute_folds() is how they are made:
# - characters whose NFKC form is one of _FOLD_TARGETS are folded to it: full-width and other compatibility forms
#   of digits, letters and the punctuation of addresses and phone numbers ('＠', '１', 'ｊ', '﹫', '．');
# - invisible format characters (category Cf: zero-width space and joiners, bidi controls, soft hyphen) are
#   deleted, so 'jane\u200b@acme.com' is an address; line and paragraph separators NFKC leaves alone are spaces;
# - Basic Multilingual Plane only, as Spark's translate works on UTF-16 units.
_FOLD_TARGETS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@.+-()%_:,;/ ")
_EXTRA_SPACES = "\u0085\u2028\u2029"
# Letters of other scripts drawn like Latin ones ('ignоre' with a Cyrillic о): folded only to decide whether text
# addresses a model, never in served text (a Greek or Russian word must stay readable).
_CONFUSABLES = {
    **dict(zip("аеорсухіјѕһԁӏ", "aeopcyxijshdl")),
    **dict(zip("АВЕКМНОРСТУХІЈЅ", "abekmhopctyxijs")),
    **dict(zip("οανρικτυ", "oavpiktu")),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "abezhikmnoptyx")),
}


def serving_fold() -> tuple[str, str]:
    """(from, to) of the fold applied to text before it is scrubbed and served: SQL translate() form, every
    character of `from` past the length of `to` is deleted."""
    return SERVING_FOLD


def matching_fold() -> tuple[str, str]:
    """(from, to) of the fold applied before looking for text addressed to a model: the serving fold, then ASCII
    lower case, then the confusable letters of other scripts."""
    return MATCHING_FOLD


def compute_folds() -> tuple[tuple[str, str], tuple[str, str]]:
    """(serving fold, matching fold) from this Python's Unicode database (see the comment above)."""
    pairs = {}
    for code_point in range(0x80, 0x10000):
        char = chr(code_point)
        if 0xD800 <= code_point <= 0xDFFF:
            continue
        if unicodedata.category(char) == "Cf":
            pairs[char] = ""
            continue
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded in _FOLD_TARGETS:
            pairs[char] = folded
    pairs.update({char: " " for char in _EXTRA_SPACES})
    matching = {char: target.lower() for char, target in pairs.items()}
    matching.update({chr(code): chr(code).lower() for code in range(ord("A"), ord("Z") + 1)})
    matching.update(_CONFUSABLES)
    return _translate_strings(pairs), _translate_strings(matching)


def _translate_strings(pairs: dict[str, str]) -> tuple[str, str]:
    mapped = sorted(char for char, target in pairs.items() if target)
    deleted = sorted(char for char, target in pairs.items() if not target)
    return "".join(mapped + deleted), "".join(pairs[char] for char in mapped)


@lru_cache(maxsize=2)
def _table(fold: tuple[str, str]) -> dict[int, str | None]:
    source, target = fold
    return {ord(char): (target[i] if i < len(target) else None) for i, char in enumerate(source)}


def fold_lookalikes(text: str) -> str:
    """Text with compatibility look-alikes folded to ASCII ('＠' -> '@', '４' -> '4') and invisible format
    characters removed. Served text keeps every other character."""
    return text.translate(_table(serving_fold()))


_WHITESPACE_RUN = re.compile("[ \t\n\r\x0b\x0c]+")


def matching_form(text: str) -> str:
    """The form text is matched in for instructions: folded for matching, white space collapsed to one space."""
    return _WHITESPACE_RUN.sub(" ", text.translate(_table(matching_fold())))


# ------------------------------------------------------------------ e-mail addresses

# Latin with diacritics, IPA, combining marks, Greek and Cyrillic: an address written with 'é' or a Cyrillic 'а'
# is still masked whole.
_LETTERS = "A-Za-zÀ-ÖØ-öø-ӿ"
EMAIL = f"[{_LETTERS}0-9._%+-]+@[{_LETTERS}0-9.-]+[.][{_LETTERS}]{{2,}}"

# ------------------------------------------------------------------ phone numbers

# Before a number: start, white space, an opening bracket or quote, or list punctuation. Not a letter, digit,
# '_', '#', '$', '-', '.' or '/': those make it part of an id, an amount or a date.
_BEFORE = "(^|[ \t\n({\"'<:;,=])"
# After it: end, white space, closing punctuation, or '.' / ':' not followed by a digit (4155550142.50 is an amount).
_AFTER = "($|[ \t\n)}\"'>;,!?]|[.:](?:[^0-9]|$))"
PHONE_FORMS = (
    # E.164 with a country code: +44 20 7946 0958, +1 (415) 555-0142, +44 (0)20 ...: a digit or a bracketed group
    # (never a bracket left open or closing the sentence), one separator before each
    "[+][1-9](?:[ .-]?(?:[0-9]|[(][0-9]{1,4}[)])){6,14}",
    "00[1-9](?:[ .-]?(?:[0-9]|[(][0-9]{1,4}[)])){7,12}",  # the same dialled with 00: 0044 20 7946 0958
    "(?:1[ .-]?)?(?:[(][0-9]{3}[)] ?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}",  # North America: (415) 555-0142
    "(?:[(]0[0-9]{1,4}[)] ?|0[0-9]{1,4}[ ./-])(?:[0-9]{3,4}[ .-][0-9]{3,4}|[0-9]{6,8})",  # trunk 0: 020 7946 0958
    "0[1-9](?:[ .-][0-9]{2}){4}",  # pairs: 01 23 45 67 89
    "1?[2-9][0-9]{2}[2-9][0-9]{6}",  # bare North American 10 (or 1 + 10) digits: 4155550142, not 1742034120
)
PHONE = _BEFORE + "(?:" + "|".join(PHONE_FORMS) + ")" + _AFTER
PHONE_REPLACEMENT = r"\1[phone]\2"  # Spark (Java) writes the groups $1 and $2: see regexp_replace_all

# ------------------------------------------------------------------ text addressed to an AI model

_MODEL_NAMES = "ai|llm|gpt|chatgpt|claude|gemini|copilot|chatbot|bot|language model"
# Phrases that end in a word: matched as whole words.
_WORD_PHRASES = (
    "(ignore|disregard|forget|override|bypass) (all |any |the |your |my |these |those |of |previous |prior |above "
    "|earlier |preceding |system |safety |existing |original )*(instructions?|prompts?|rules|guidelines|guardrails"
    "|directions|directives)",
    "you are now",
    "from now on,? you",
    f"(dear|hey|hi|hello|attention|note to|message to) (the |any |all |an? )?({_MODEL_NAMES}|assistant)( agent| assistant"
    "| model)?s?",
    f"({_MODEL_NAMES}|assistant|agent|model)s? (reading|processing|summari[sz]ing|reviewing|parsing) (this|these)",
    "pretend (to be|you are|that you)",
    "(reveal|print|repeat|show|output) (your|the) (system |hidden |initial )?(prompt|instructions)",
    "(respond|reply|answer) only with",
    "(mark|set|change|flag|classify|report) (this|the|my|our) (account|customer|record|company)( health| status"
    "| health status)? (as|to)",
    "jailbreak|developer mode|im_start|im_end|endoftext",
)
# Phrases that end in punctuation: a role label or a prompt tag.
_LABEL_PHRASES = (
    f"(system|assistant|({_MODEL_NAMES}) ?(agent|assistant|model)?) ?:",
    "new (instructions|rules|task) ?:",
    "</?(system|instructions?|prompt)>",
)
INSTRUCTION = (
    "(^|[^a-z0-9])((" + "|".join(_WORD_PHRASES) + ")([^a-z0-9]|$)|" + "|".join(_LABEL_PHRASES) + ")"
)

_EMAIL_RE = re.compile(EMAIL)
_PHONE_RE = re.compile(PHONE)
_INSTRUCTION_RE = re.compile(INSTRUCTION)


def scrub_contacts(text: str) -> str:
    """Text folded (fold_lookalikes), then e-mail addresses replaced by [email], then phone numbers by [phone]:
    the SQL macro mask_pii(expr, 'free_text')."""
    text = _EMAIL_RE.sub(EMAIL_PLACEHOLDER, fold_lookalikes(text))
    for _ in range(2):  # a separator consumed after one number is the boundary before the next: a second pass
        text = _PHONE_RE.sub(PHONE_REPLACEMENT, text)
    return text


def has_contact(text: str) -> bool:
    """Whether the text holds an e-mail address or a phone number (scrub_contacts would change it)."""
    folded = fold_lookalikes(text)
    return _EMAIL_RE.search(folded) is not None or _PHONE_RE.search(folded) is not None


def mask_email(value: str) -> str:
    """An e-mail column's value: '***@' and its domain when the whole (folded) value is one address, else
    '[email]': the SQL macro mask_pii(expr, 'email')."""
    folded = fold_lookalikes(value)
    if _EMAIL_RE.fullmatch(folded) is None:
        return EMAIL_PLACEHOLDER
    return "***@" + folded.split("@", 1)[1]


def looks_like_instructions(text: str) -> bool:
    """Whether the text reads as addressed to an AI model ('Ignore previous instructions', 'AI agent: ...'):
    the SQL macro instruction_like_text."""
    return _INSTRUCTION_RE.search(matching_form(text)) is not None


# ------------------------------------------------------------------ the SQL twin

GENERATED_MACROS = "macros/grounding/_text_rules_generated.sql"
GENERATED_TABLES = "python/dbt_grounding/context/_text_rules_tables.py"


def generated_tables_source() -> str:
    """The text of _text_rules_tables.py: compute_folds() as committed data."""
    serving, matching = compute_folds()
    return (
        '"""GENERATED by scripts/generate_text_rules_macros.py from text_rules.compute_folds() (Unicode '
        f'{unicodedata.unidata_version}): do not edit."""\n\n'
        f'SERVING_FOLD = (\n    "{_escaped(serving[0])}",\n    "{_escaped(serving[1])}",\n)\n'
        f'MATCHING_FOLD = (\n    "{_escaped(matching[0])}",\n    "{_escaped(matching[1])}",\n)\n'
    )


def generated_macros_source() -> str:
    """The text of macros/grounding/_text_rules_generated.sql: these patterns and fold tables as dbt macros, so
    the SQL and the Python copies are the same strings (regenerate with scripts/generate_text_rules_macros.py;
    a test fails when the file differs)."""
    macros = {
        "email_pattern": EMAIL,
        "phone_pattern": PHONE,
        "phone_replacement": PHONE_REPLACEMENT,
        "instruction_like_pattern": INSTRUCTION,
        "serving_fold_from": SERVING_FOLD[0],
        "serving_fold_to": SERVING_FOLD[1],
        "matching_fold_from": MATCHING_FOLD[0],
        "matching_fold_to": MATCHING_FOLD[1],
    }
    lines = [
        "{#- GENERATED from python/dbt_grounding/context/text_rules.py by scripts/generate_text_rules_macros.py:",
        "    do not edit. The patterns and look-alike fold tables shared by the SQL macros and the Python layer. -#}",
    ]
    for name, value in macros.items():
        lines += ["", f"{{% macro {name}() -%}}", f'  {{{{ return("{_escaped(value)}") }}}}', "{%- endmacro %}"]
    return "\n".join(lines) + "\n"


def _escaped(text: str) -> str:
    """The body of a double-quoted string literal, in ASCII, that Jinja and Python both decode to `text`."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif " " <= char <= "~":
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)
