"""What no output of a grounding system may carry: personal data of the warehouse in clear (e-mail addresses, phone
numbers and person names of the columns marked `meta.pii`, anywhere upstream, raw sources included), contact details
of any kind, and text addressed to an AI model outside the fence that marks it as quoted data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbt_grounding.context.safety import UNTRUSTED_TAG, ends_untrusted_block
from dbt_grounding.context.text_rules import has_contact, looks_like_instructions
from dbt_grounding.errors import SchemaDriftError, WarehouseError
from dbt_grounding.grounding.drift import relation_of

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Manifest, Node, Source
    from dbt_grounding.warehouse import Warehouse

PII_KINDS = ("email", "phone", "person_name")
MAX_VALUES = 50_000  # values per column read for the probe
_PHONE_LIKE = re.compile(r"\+?[0-9][0-9 ().\-/]{5,}[0-9]")
_FENCE_START = re.compile(rf"untrusted data ({UNTRUSTED_TAG.pattern}|[0-9a-f]{{8}})\b")  # hex: older documents' tags


@dataclass(frozen=True)
class Leak:
    kind: str  # email, phone, person_name, contact (a pattern), injection
    text: str  # what was found, shortened; never echoed beyond the report's reviewer


class PiiProbe:
    """The personal values to look for in outputs: e-mails and names case-insensitively (names as whole words, full
    names of two or more words only: a lone first name is too often a common word), phone numbers by their digits."""

    def __init__(self, values: Iterable[tuple[str, str]]) -> None:
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        names: set[str] = set()
        for kind, value in values:
            text = " ".join(str(value).split())
            if not text:
                continue
            if kind == "email" and "@" in text:
                self.emails.add(text.casefold())
            elif kind == "phone":
                digits = _phone_digits(text)
                if len(digits) >= 7:
                    self.phones.add(digits)
            elif kind == "person_name" and len(text.split()) >= 2:
                names.add(text.casefold())
        self.names = frozenset(names)
        # whole words by lookarounds, not \b: a name may end in punctuation ("Acme, Inc.")
        self._name_pattern = (re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                                         + r")(?!\w)") if names else None)

    def __len__(self) -> int:
        return len(self.emails) + len(self.phones) + len(self.names)

    def leaks(self, text: str) -> list[Leak]:
        folded = text.casefold()
        found = [Leak("email", e) for e in sorted(self.emails) if e in folded]
        for run in _PHONE_LIKE.findall(text):
            if _phone_digits(run) in self.phones:
                found.append(Leak("phone", run))
        if self._name_pattern is not None:
            found += [Leak("person_name", m) for m in sorted(set(self._name_pattern.findall(folded)))]
        if has_contact(text):
            found.append(Leak("contact", "an e-mail address or phone number pattern"))
        return found


def _phone_digits(text: str) -> str:
    """A phone number's digits, the last ten when there are more (a country code written or left out)."""
    digits = re.sub(r"\D", "", text)
    return digits[-10:]


def read_pii_probe(manifest: Manifest, warehouse: Warehouse, extra: Iterable[tuple[str, str]] = ()) -> PiiProbe:
    """The values of every column marked meta.pii email, phone or person_name (models, seeds, snapshots, sources) in
    the warehouse, plus `extra` (kind, value) pairs; a relation that cannot be read is skipped."""
    values: list[tuple[str, str]] = list(extra)
    with warehouse.session():
        for resource, column, kind in pii_columns(manifest):
            try:
                found = warehouse.distinct_values(relation_of(resource), column, MAX_VALUES)
            except (SchemaDriftError, WarehouseError):
                continue
            values += [(kind, v) for v in found if isinstance(v, str)]
    return PiiProbe(values)


def pii_columns(manifest: Manifest) -> list[tuple[Node | Source, str, str]]:
    """(node or source, column, kind) for every column marked meta.pii email, phone or person_name."""
    resources: list[Node | Source] = [n for n in manifest.nodes.values()
                                      if n.resource_type in ("model", "seed", "snapshot")
                                      and n.config.materialized != "ephemeral"]
    resources += list(manifest.sources.values())
    found = []
    for resource in sorted(resources, key=lambda r: r.unique_id):
        for column in resource.columns.values():
            kind = str(column.merged_meta.get("pii", "")).lower()
            if kind in PII_KINDS:
                found.append((resource, column.name, kind))
    return found


def outside_fences(text: str) -> str:
    """The text without its fenced untrusted blocks: from the line announcing `untrusted data TAG` to the line
    that ends it (`End of untrusted data TAG.` in the Markdown form, `End TAG.` in the compact form)."""
    kept: list[str] = []
    closing: str | None = None
    for line in text.splitlines():
        if closing is not None:
            if ends_untrusted_block(line, closing):
                closing = None
            continue
        match = _FENCE_START.search(line)
        if match and not ends_untrusted_block(line, match.group(1)):
            closing = match.group(1)
            kept.append(line[: match.start()])
            continue
        kept.append(line)
    return "\n".join(kept)


def injections_outside_fences(text: str) -> list[Leak]:
    """Lines addressed to an AI model that are not inside a fence."""
    return [Leak("injection", line.strip()[:80]) for line in outside_fences(text).splitlines()
            if line.strip() and looks_like_instructions(line)]
