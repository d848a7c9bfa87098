"""What the eval tests share: the demo's golden set, the CLI, the raw personal data."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from dbt_runner import REPO_ROOT

DEMO_GOLDEN = REPO_ROOT / "examples" / "golden" / "demo_golden.yml"
CLI = str(Path(sys.executable).with_name("dbt-grounding"))


def raw_pii() -> tuple[tuple[str, str], ...]:
    """Every e-mail, phone and person name of the raw CSVs, read here (not from the warehouse) so the leak check
    does not depend on the meta the toolkit reads."""
    found = []
    columns = {"crm_customers": {"contact_name": "person_name", "account_owner": "person_name",
                                 "contact_email": "email", "contact_phone": "phone"},
               "product_logins": {"user_email": "email"}}
    for table, kinds in columns.items():
        with open(REPO_ROOT / "seeds" / "raw" / f"{table}.csv", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                found += [(kind, row[column]) for column, kind in kinds.items() if row[column]]
    return tuple(found)
