-- No feedback file exists: the reader gives an empty relation of the contract's columns instead of failing.
{{ dbt_grounding.telemetry_events('feedback') }}
