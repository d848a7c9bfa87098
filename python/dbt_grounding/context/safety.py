"""What keeps a context document safe to put in a prompt: PII masking, contact and known-name scrubbing,
free-text fencing and Markdown neutralisation.

Policy for one value, wherever it appears (key, heading, record, JSON): `safe_cell`.
- a column with meta.pii email / phone / person_name / other is masked by kind;
- a free-text value (meta.pii free_text, or any string in any column that is long, multi-line, holds an e-mail
  address or phone number, or reads like text addressed to a model) is folded and scrubbed of e-mail addresses,
  phone numbers and known person names, and returned as `UntrustedText` (flagged when it reads like instructions),
  which the templates render only inside a labelled fence it cannot close;
- any other string that is exactly a known person name is masked as one;
- anything else is a plain scalar, which the templates render through `neutralise_inline`.
Fencing errs on the side of fencing: a false positive only moves a value into a quoted block. The patterns are
defined once, in text_rules.py, which generates the SQL macros' copy (macros/grounding/_text_rules_generated.sql);
python/tests/test_text_rules_agree_with_sql.py runs both on the same inputs. The oracle (python/tests/oracle.py)
has no copy of them.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from datetime import date, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from dbt_grounding.context.types import PiiKind, RowValue, UntrustedText
from dbt_grounding.context.known_names import NAME_PLACEHOLDER, KnownNames
from dbt_grounding.context.text_rules import (
    PHONE_PLACEHOLDER,
    has_contact,
    looks_like_instructions,
    mask_email,
    scrub_contacts,
)
from dbt_grounding.context.values import JsonScalarValue, to_json_scalar

FREE_TEXT_MIN_LENGTH = 81  # strings longer than 80 characters are free text

MASKS: dict[str, str] = {"phone": PHONE_PLACEHOLDER, "person_name": NAME_PLACEHOLDER, "other": "[redacted]"}
NO_NAMES = KnownNames([])
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


def safe_cell(value: Any, pii: PiiKind | None, names: KnownNames = NO_NAMES) -> RowValue:
    """The value of one cell as the document holds it: masked, fenced as untrusted text, or a plain scalar.

    Args:
        value: the value as the warehouse driver returned it.
        pii: the column's meta.pii kind, None when not declared.
        names: the known person names of the project (known_names.py), scrubbed from free text.
    """
    scalar = to_json_scalar(value)
    if scalar is None:
        return None
    if pii is not None and pii != "free_text":
        return mask(str(scalar), pii)
    text_like = isinstance(scalar, str) and not isinstance(value, _STRUCTURED_TYPES)
    if pii == "free_text" or (text_like and is_free_text(str(scalar))):
        text = str(scalar)
        return UntrustedText(
            untrusted_text=clean_block_text(names.scrub(scrub_contacts(text))),
            instruction_like=looks_like_instructions(text),
        )
    if text_like and names.is_name(str(scalar)):
        return NAME_PLACEHOLDER
    return clean_scalar(scalar)


def safe_key_value(value: Any, pii: PiiKind | None, names: KnownNames = NO_NAMES) -> JsonScalarValue:
    """A key value as the heading, the key and the no-match sentence show it: the cell's own rule (safe_cell), with
    scrubbed free text as one line, since a key is shown inline. Key values that read like instructions are refused
    before this (builder._key_value)."""
    cell = safe_cell(value, pii, names)
    return " ".join(cell.untrusted_text.split()) if isinstance(cell, UntrustedText) else cell


def mask(value: str, kind: PiiKind) -> str:
    """A personal-data value replaced by a placeholder of its kind; e-mail keeps its domain ('***@acme.com')."""
    if kind == "email":
        return mask_email(value.strip())
    return MASKS.get(kind, MASKS["other"])


def is_free_text(text: str) -> bool:
    """Whether a string must be served as quoted, untrusted text rather than inline."""
    return (
        len(text) >= FREE_TEXT_MIN_LENGTH
        or "\n" in _LINE_BREAK.sub("\n", text)
        or has_contact(text)
        or looks_like_instructions(text)
    )


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
    return _neutralised(str(value))


@functools.lru_cache(maxsize=4096)
def _neutralised(text: str) -> str:
    # remembered: a document repeats its mart's column names, meanings, rules and units, and a markdown document
    # escapes ~130 strings (40% of its render time; the telemetry writer renders every served document again)
    text = " ".join(clean_text(text).split()).translate(_INLINE_ESCAPES)
    text = text.replace("](", "]\\(").replace("][", "]\\[")
    return "\\" + text if _BLOCK_START.match(text) else text


def fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run in `text`, so the text cannot close it."""
    longest = max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)
    return "`" * max(3, longest + 1)


# Untrusted-block tags are spelt in consonants: 8 of 20 hold 34.6 bits (8 hex digits held 32) in ~3.8 cl100k tokens
# (hex took ~4.5, up to 8), and without vowels a tag never spells a word or a name. It is written twice per block.
_TAG_LETTERS = "bcdfghjklmnpqrstvwxz"
_TAG_LENGTH = 8
UNTRUSTED_TAG = re.compile(rf"[{_TAG_LETTERS}]{{{_TAG_LENGTH}}}")


def untrusted_tag(text: str) -> str:
    """A short tag derived from the text itself, naming its block: text written in advance cannot predict the tag
    of the block it will land in, so it cannot forge the block's end."""
    number = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    letters = []
    for _ in range(_TAG_LENGTH):
        number, index = divmod(number, len(_TAG_LETTERS))
        letters.append(_TAG_LETTERS[index])
    return "".join(letters)


def ends_untrusted_block(line: str, tag: str) -> bool:
    """Whether `line` is the label that ends the untrusted block tagged `tag`: "End of untrusted data TAG." in the
    Markdown form, "End TAG." in the compact form (fewer tokens; the tag is what the text cannot forge)."""
    return line.strip() in (f"End of untrusted data {tag}.", f"End {tag}.")
