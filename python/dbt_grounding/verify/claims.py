"""What an answer states that can be checked: numbers (with currency, %, thousands separators, k/M suffixes and the
precision they are written to), dates (ISO and written forms, a month or a year alone), codes (INV-6695) and where
they sit in the text. Status words and names need the vocabulary (verify.vocabulary) and are found there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MONTHS = {name: number for number, names in enumerate([
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")], start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_TIME = r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}|\s?UTC)?)?"
# Longest forms first; a span taken by one is not matched again.
DATE_PATTERNS = [
    re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})" + _TIME + r"(?![\d])"),
    re.compile(r"(?<![\d/])(?P<year>\d{4})/(?P<mnum>\d{1,2})/(?P<day>\d{1,2})(?![\d/])"),
    re.compile(r"(?<![\d/])(?P<mnum>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})(?![\d/])"),  # US order
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b", re.IGNORECASE),
    re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR + r"\b", re.IGNORECASE),
    re.compile(r"\b" + _MONTH + r",?\s+" + _YEAR + r"\b", re.IGNORECASE),
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r"\b(?!\s*(?:%|,?\d))", re.IGNORECASE),
    re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"\b", re.IGNORECASE),
]
CODE = re.compile(r"\b[A-Z]{2,}-\d+\b")
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
CURRENCY_WORDS = {"usd": "USD", "dollar": "USD", "dollars": "USD", "eur": "EUR", "euro": "EUR", "euros": "EUR",
                  "gbp": "GBP"}
SCALE = {"k": 3, "thousand": 3, "m": 6, "mm": 6, "million": 6, "bn": 9, "b": 9, "billion": 9}
TIME_UNITS = {"day": "days", "days": "days", "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours",
              "h": "hours", "second": "seconds", "seconds": "seconds", "minute": "minutes", "minutes": "minutes"}
NUMBER = re.compile(
    r"(?<![\w.,/-])(?P<sign>[-−])?(?P<prefix>[$€£]|(?:USD|EUR|GBP)\s?)?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<scale>\s?(?:k|K|M|MM|bn|B|thousand|million|billion)\b)?"
    r"(?P<percent>\s?%|\s(?:percent|per cent)\b)?"
    r"(?P<unit>\s?(?:USD|EUR|GBP|dollars?|euros?|days?|hours?|hrs?|h|seconds?|minutes?)\b)?"
    r"(?![\w])"
)
YEAR_ALONE = re.compile(r"^(?:19|20)\d{2}$")


@dataclass(frozen=True)
class NumberClaim:
    """A number as written: its value, the tolerance its precision allows (half a unit of its last digit), unit."""

    start: int
    end: int
    text: str
    value: Decimal
    tolerance: Decimal
    unit: str | None  # USD/EUR/GBP, percent, days, hours, ... ; None when none is written
    year_alone: bool = False


@dataclass(frozen=True)
class DateClaim:
    """A date as written: year, month, day; None where the text leaves it out ("June 2026", "June 4")."""

    start: int
    end: int
    text: str
    year: int | None
    month: int | None
    day: int | None


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def find_dates(text: str) -> list[DateClaim]:
    """Every date in `text`, in order, not overlapping."""
    taken: list[tuple[int, int]] = []
    found = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if _overlaps(match.start(), match.end(), taken):
                continue
            parts = match.groupdict()
            month = MONTHS[parts["month"].lower()] if parts.get("month") else int(parts["mnum"]) if parts.get(
                "mnum") else None
            day = int(parts["day"]) if parts.get("day") else None
            year = int(parts["year"]) if parts.get("year") else None
            if month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            taken.append((match.start(), match.end()))
            found.append(DateClaim(match.start(), match.end(), match.group(), year, month, day))
    return sorted(found, key=lambda claim: claim.start)


def find_codes(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group()) for m in CODE.finditer(text)]


def find_numbers(text: str, skip: list[tuple[int, int]] = ()) -> list[NumberClaim]:
    """Every number in `text` outside the `skip` spans (dates, codes), in order."""
    found = []
    for match in NUMBER.finditer(text):
        if _overlaps(match.start(), match.end(), skip):
            continue
        claim = _number(match)
        if claim is not None:
            found.append(claim)
    return found


def parse_number(text: str) -> Decimal | None:
    """A plain decimal ("56988.60", "-3", "1,200") or None."""
    try:
        return Decimal(text.replace(",", "").replace("−", "-").strip())
    except InvalidOperation:
        return None


def _number(match: re.Match[str]) -> NumberClaim | None:
    digits = match.group("digits")
    value = parse_number(digits)
    if value is None:
        return None
    if match.group("sign"):
        value = -value
    integral, _, decimals = digits.replace(",", "").partition(".")
    if decimals:
        precision = Decimal(1).scaleb(-len(decimals))
    else:
        # trailing zeros of a large figure or an amount read as rounding ("$57,000" for 56,988.60), keeping two
        # significant digits ("$60,000" may round 59,988 but "30 days" does not stand for 26)
        zeros = len(integral) - len(integral.rstrip("0")) if integral.strip("0") else 0
        rounded = match.group("prefix") or match.group("scale") or len(integral) >= 4
        precision = Decimal(1).scaleb(min(zeros, max(len(integral) - 2, 0)) if rounded else 0)
    scale = (match.group("scale") or "").strip().lower()
    if scale:
        exponent = SCALE["mm" if scale == "mm" else scale]
        value, precision = value.scaleb(exponent), precision.scaleb(exponent)
    unit = _unit(match)
    text = match.group().rstrip()
    year_alone = unit is None and not scale and YEAR_ALONE.match(digits) is not None
    return NumberClaim(match.start(), match.start() + len(text), text, value, precision / 2, unit, year_alone)


def _unit(match: re.Match[str]) -> str | None:
    if match.group("percent"):
        return "percent"
    prefix = (match.group("prefix") or "").strip()
    if prefix:
        return CURRENCY_SYMBOLS.get(prefix, prefix.upper())
    word = (match.group("unit") or "").strip().lower()
    if word in CURRENCY_WORDS:
        return CURRENCY_WORDS[word]
    return TIME_UNITS.get(word) if word else None


def _overlaps(start: int, end: int, spans) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)
