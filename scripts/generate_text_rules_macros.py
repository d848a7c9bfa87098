"""Write the generated copies of python/dbt_grounding/context/text_rules.py: the fold tables as Python data
(python/dbt_grounding/context/_text_rules_tables.py) and the patterns and tables as dbt macros
(macros/grounding/_text_rules_generated.sql).

Run after changing a pattern or the fold: `.venv/bin/python scripts/generate_text_rules_macros.py`.
"""

import importlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

from dbt_grounding.context import text_rules  # noqa: E402

(REPO / text_rules.GENERATED_TABLES).write_text(text_rules.generated_tables_source(), encoding="utf-8")
importlib.reload(sys.modules["dbt_grounding.context._text_rules_tables"])
text_rules = importlib.reload(text_rules)  # the macros take the tables just written
(REPO / text_rules.GENERATED_MACROS).write_text(text_rules.generated_macros_source(), encoding="utf-8")
print(f"wrote {text_rules.GENERATED_TABLES} and {text_rules.GENERATED_MACROS}")
