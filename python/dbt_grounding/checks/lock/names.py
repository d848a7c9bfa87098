"""The lock file's name and format version: constants the CLI reads to register its options, kept apart from the
lock's msgspec shape (model.py) so that `dbt-grounding --help` imports neither msgspec nor the lock's code."""

LOCK_VERSION = 1
LOCK_FILE = "grounding.lock.json"
