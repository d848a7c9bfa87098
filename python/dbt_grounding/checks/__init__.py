"""The CI gate: findings with stable rule codes from comparing artifacts, warehouse and the grounding lock."""
