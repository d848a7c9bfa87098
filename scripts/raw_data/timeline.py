"""Time: every instant is an int of seconds since 1970-01-01 UTC, so arithmetic is exact and fast; the
data window, the as-of date and the date formats the raw data mixes."""

from __future__ import annotations

import calendar
from datetime import date


DAY = 86_400
HOUR = 3_600


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> int:
    return calendar.timegm((y, m, d, hh, mm, ss, 0, 0, 0))


WINDOW_START = utc(2024, 7, 1)  # first event
AS_OF = utc(2026, 6, 30)  # midnight of the as-of date the demo and the tests pin
AS_OF_END = AS_OF + DAY - 1  # last second that still counts at the as-of date
WINDOW_END = utc(2026, 7, 1, 5, 59, 59)  # last event; the loads start right after
LOAD_START = utc(2026, 7, 1, 6)
MODEL_V32_FROM = utc(2026, 3, 1)  # the churn model's version switch
ORPHAN_CUSTOMER_BASE = 90_000_000  # customer ids from here on never exist (valid while --customers < this)
ID_STRIDE = 100  # entity ids are <customer_id * 100 + k>; k = 99 is reserved for references that never exist
ORPHAN_SLOT = ID_STRIDE - 1

ISO_DATE, ISO_T, ISO_SPACE, US_SLASH, EU_DOT, EPOCH = "iso_date", "iso_t", "iso_space", "us_slash", "eu_dot", "epoch"
DATE_FORMATS = (ISO_DATE, ISO_T, ISO_SPACE, US_SLASH, EU_DOT, EPOCH)
UNPARSEABLE_DATES = ("not available", "2025-13-45", "31/02/2025x", "N/A")

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_day_text_cache: dict[int, tuple[str, str, str]] = {}


def day_texts(day: int) -> tuple[str, str, str]:
    """ISO, US slash and EU dot spellings of a day number (cached: there are only ~730 distinct days)."""
    texts = _day_text_cache.get(day)
    if texts is None:
        d = date.fromordinal(_EPOCH_ORDINAL + day)
        texts = (
            f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
            f"{d.month:02d}/{d.day:02d}/{d.year:04d}",
            f"{d.day:02d}.{d.month:02d}.{d.year:04d}",
        )
        _day_text_cache[day] = texts
    return texts


def format_instant(ts: int, fmt: str) -> str:
    if fmt == EPOCH:
        return str(ts)
    day, secs = divmod(ts, DAY)
    iso, us, eu = day_texts(day)
    if fmt == ISO_DATE:
        return iso
    if fmt == US_SLASH:
        return us
    if fmt == EU_DOT:
        return eu
    hh, rest = divmod(secs, HOUR)
    mm, ss = divmod(rest, 60)
    if fmt == ISO_T:
        return f"{iso}T{hh:02d}:{mm:02d}:{ss:02d}Z"
    return f"{iso} {hh:02d}:{mm:02d}:{ss:02d}"


def add_months(ts: int, months: int) -> int:
    """Same clock time `months` later; the day is clamped to the month's end (Jan 31 + 1 month = Feb 28)."""
    d = date.fromordinal(_EPOCH_ORDINAL + ts // DAY)
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return utc(year, month + 1, day) + ts % DAY


def midnight(ts: int) -> int:
    return ts - ts % DAY
