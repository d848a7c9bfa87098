"""The person names a project's warehouse knows (every value of a column marked `meta.pii: person_name`), scrubbed
from free text served beside them.

What is caught: a known full name ('Priya Raman') and each part of it of three letters or more ('Priya', 'Raman'),
as whole words, in any case, with any white space between the parts. What is not: names that appear in no
person_name column, misspellings, initials ('P. Raman' leaves 'P.'), and names past the dictionary's bound. A name
part that is also a common word ('Grace', 'Mark') is scrubbed as a name too: the dictionary errs on the side of
privacy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME_PLACEHOLDER = "[name]"
MAX_NAMES = 20_000  # distinct full names kept; the project reads at most this many (project.known_names)
MAX_NAME_LENGTH = 100  # longer values are not names (a free-text column mislabelled person_name)
MIN_PART_LENGTH = 3  # 'Li', 'Al' alone would scrub too many ordinary words
MAX_PARTS = 4  # words of a name matched as one phrase

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_SPACE_ONLY = re.compile(r"\s+")


class KnownNames:
    """A bounded dictionary of person names, matched as whole words case-insensitively."""

    def __init__(self, values: Iterable[object], *, truncated: bool = False, unread: Iterable[str] = ()) -> None:
        """Args:
            values: the distinct values of person_name columns (non-strings and over-long values are skipped).
            truncated: whether the reader stopped at its bound (stated in documents: names past it are not caught).
            unread: the columns (model.column) whose names could not be read (stated in documents).
        """
        self.unread = sorted(unread)
        phrases: set[tuple[str, ...]] = set()
        full_names: set[str] = set()
        for value in values:
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_LENGTH:
                continue
            words = tuple(word.casefold() for word in _WORD.findall(value))
            if not words:
                continue
            full_names.add(" ".join(words))
            if len(words) <= MAX_PARTS:
                phrases.add(words)
            phrases.update((word,) for word in words if len(word) >= MIN_PART_LENGTH)
            if len(full_names) >= MAX_NAMES:
                truncated = True
                break
        self._phrases = frozenset(phrases)
        self._full_names = frozenset(full_names)
        self._longest = max((len(phrase) for phrase in phrases), default=0)
        self.truncated = truncated

    def __len__(self) -> int:
        return len(self._full_names)

    def is_name(self, value: str) -> bool:
        """Whether the whole value is a known full name (in any case and spacing)."""
        words = [word.casefold() for word in _WORD.findall(value)]
        return bool(words) and " ".join(words) in self._full_names and _WORD.sub("", value).strip(" .,") == ""

    def scrub(self, text: str) -> str:
        """Every known name in `text` replaced by [name], longest phrase first."""
        if not self._phrases:
            return text
        words = list(_WORD.finditer(text))
        out, position, index = [], 0, 0
        while index < len(words):
            length = self._match_length(text, words, index)
            if length:
                first, last = words[index], words[index + length - 1]
                out += [text[position:first.start()], NAME_PLACEHOLDER]
                position = last.end()
                index += length
            else:
                index += 1
        return "".join(out) + text[position:]

    def _match_length(self, text: str, words: list[re.Match[str]], index: int) -> int:
        """How many words from `index` form a known phrase (0: none); the words must be separated by white space
        only."""
        for length in range(min(self._longest, len(words) - index), 0, -1):
            span = words[index:index + length]
            gaps = (text[a.end():b.start()] for a, b in zip(span, span[1:]))
            if all(_SPACE_ONLY.fullmatch(gap) for gap in gaps) and \
                    tuple(m.group().casefold() for m in span) in self._phrases:
                return length
        return 0
