"""The raw sample data generator (scripts/generate_raw_data.py), one module per concern: the tables, time,
random draws, one module per source system, the quarantine dirt, the forced edge cases and the output."""
