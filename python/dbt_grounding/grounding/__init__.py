"""What makes a model a grounding mart: its spec (key, freshness policy, as-of column...) with defaults for any
dbt project, and the checks a document must pass before it is served (freshness, test status)."""
