"""Write macros/grounding/_text_rules_generated.sql from python/dbt_grounding/context/text_rules.py.

Run after changing a pattern or the fold: `.venv/bin/python scripts/generate_text_rules_macros.py`.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

from dbt_grounding.context.text_rules import GENERATED_MACROS, generated_macros_source  # noqa: E402

(REPO / GENERATED_MACROS).write_text(generated_macros_source(), encoding="utf-8")
print(f"wrote {GENERATED_MACROS}")
