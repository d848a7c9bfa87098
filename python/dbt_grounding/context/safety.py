"""What keeps a context document safe to put in a prompt: PII masking, contact scrubbing, free-text fencing and
Markdown neutralisation.

Policy for one value (see `safe_cell`):
- a column with meta.pii email / phone / person_name / other is masked by kind;
- a free-text value (meta.pii free_text, or any string that is long, multi-line, holds an e-mail address or phone
  number, or reads like text addressed to a model) is scrubbed of e-mail addresses and phone numbers and returned
  as `UntrustedText`, which the templates render only inside a labelled fence it cannot close;
- anything else is a plain scalar, which the templates render through `neutralise_inline`.
Fencing errs on the side of fencing: a false positive only moves a value into a quoted block.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from dbt_grounding.context.document import PiiKind, RowValue, UntrustedText
from dbt_grounding.context.values import JsonScalarValue, to_json_scalar

# The patterns of docs/business_rules.md ("Patterns"), shared with the SQL macros and the oracle.
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}")
PHONE_PATTERN = re.compile(r"([+][0-9]{1,3} )?([(][0-9]{3}[)] ?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}")
INSTRUCTION_PATTERN = re.compile(
    r"(^|[^a-z])((ignore|disregard|forget) (all |any )?(the )?(previous|prior|above|earlier) "
    r"(instructions|prompts|rules)|you are now|system ?:|new instructions ?:)([^a-z]|$)"
)
# Broader than the documented pattern on purpose: here a match only fences a short value.
ADDRESSED_TO_MODEL_PATTERN = re.compile(
    r"\b(ignore|disregard|instructions?|prompts?|assistant|you are|you must|jailbreak|override|chatgpt|llm)\b",
    re.IGNORECASE,
)
FREE_TEXT_MIN_LENGTH = 81  # strings longer than 80 characters are free text

EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER = "[email]", "[phone]"
MASKS: dict[str, str] = {"phone": "[phone]", "person_name": "[name]", "other": "[redacted]"}
# Values of these types are never free text, even when converted to a string (decimals, dates...).
_STRUCTURED_TYPES = (bool, int, float, Decimal, date, time, timedelta, UUID, bytes, bytearray, memoryview, Enum)

_LINE_BREAK = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # Cc but tab and newline (the rest became \n above)
_BLANK_LINES = re.compile(r"\n{3,}")
_BACKTICK_RUN = re.compile(r"`+")
# Escaped anywhere: backslash (it would undo the others), code spans, HTML and pseudo-tags. Alone on one line, a
# value cannot form a table, so pipes stay as they are.
_INLINE_ESCAPES = str.maketrans({"\\": "\\\\", "`": "\\`", "<": "\\<"})
# A character that would start a block (heading, list, quote, thematic break, setext underline) at a line start.
_BLOCK_START = re.compile(r"^(>|#{1,6}(\s|$)|[-+*](\s|$)|\d{1,9}[.)](\s|$)|([-*_] *){3,}$|=+ *$|-+ *$|~{3,})")


def safe_cell(value: Any, pii: PiiKind | None) -> RowValue:
    """The value of one cell as the document holds it: masked, fenced as untrusted text, or a plain scalar."""
    scalar = to_json_scalar(value)
    if scalar is None:
        return None
    if pii is not None and pii != "free_text":
        return mask(str(scalar), pii)
    text_like = isinstance(scalar, str) and not isinstance(value, _STRUCTURED_TYPES)
    if pii == "free_text" or (text_like and is_free_text(str(scalar))):
        return UntrustedText(untrusted_text=clean_block_text(scrub_contacts(str(scalar))))
    return clean_scalar(scalar)


def mask(value: str, kind: PiiKind) -> str:
    """A personal-data value replaced by a placeholder of its kind; e-mail keeps its domain ('***@acme.com')."""
    if kind == "email":
        match = EMAIL_PATTERN.fullmatch(value.strip())
        return f"***@{match.group().rsplit('@', 1)[1]}" if match else EMAIL_PLACEHOLDER
    return MASKS.get(kind, MASKS["other"])


def scrub_contacts(text: str) -> str:
    """E-mail addresses then phone numbers replaced by [email] / [phone] (the order of business_rules.md)."""
    return PHONE_PATTERN.sub(PHONE_PLACEHOLDER, EMAIL_PATTERN.sub(EMAIL_PLACEHOLDER, text))


def is_free_text(text: str) -> bool:
    """Whether a string must be served as quoted, untrusted text rather than inline."""
    return (
        len(text) >= FREE_TEXT_MIN_LENGTH
        or "\n" in _LINE_BREAK.sub("\n", text)
        or EMAIL_PATTERN.search(text) is not None
        or PHONE_PATTERN.search(text) is not None
        or looks_like_instructions(text)
    )


def looks_like_instructions(text: str) -> bool:
    """Whether the text reads like it addresses an AI model ('Ignore previous instructions...')."""
    flat = " ".join(clean_text(text).lower().split())
    return INSTRUCTION_PATTERN.search(flat) is not None or ADDRESSED_TO_MODEL_PATTERN.search(flat) is not None


def clean_text(text: str) -> str:
    """Line breaks as '\\n', spaces as ' ', and every invisible or control character removed (zero-width, bidi
    overrides, Unicode tag characters that can smuggle hidden instructions)."""
    text = _LINE_BREAK.sub("\n", text)
    if text.isascii():  # the common case, fast: only ASCII control characters can be invisible here
        return _ASCII_CONTROL.sub("", text)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\n\t":
            kept.append(char)
        elif category == "Zs":
            kept.append(" ")
        elif category[0] != "C":  # Cc control, Cf format, Co private use, Cn unassigned, Cs surrogate
            kept.append(char)
    return "".join(kept)


def clean_block_text(text: str) -> str:
    """Text for a fenced block: cleaned, no trailing spaces, at most one blank line in a row, no blank ends."""
    lines = [line.rstrip() for line in clean_text(text).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def clean_scalar(scalar: JsonScalarValue) -> JsonScalarValue:
    """A plain scalar with invisible characters removed from strings."""
    return clean_text(scalar) if isinstance(scalar, str) else scalar


def neutralise_inline(value: Any) -> str:
    """Any value as one line of Markdown text that cannot change the prompt's structure: no line breaks (so no
    heading, list, fence or role line can start), no code span, HTML or pseudo-tag, link or image; a leading block
    marker (heading, quote, list, thematic break) is escaped. JSON scalars read as JSON: null, true, false."""
    if isinstance(value, UntrustedText):
        raise TypeError("untrusted text is rendered only inside a fence (macro untrusted_block), never inline")
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    text = " ".join(clean_text(str(value)).split()).translate(_INLINE_ESCAPES)
    text = text.replace("](", "]\\(").replace("][", "]\\[")
    return "\\" + text if _BLOCK_START.match(text) else text


def fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run in `text`, so the text cannot close it."""
    longest = max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def untrusted_tag(text: str) -> str:
    """A short tag derived from the text itself, naming its block: text written in advance cannot predict the tag
    of the block it will land in, so it cannot forge the block's end."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
