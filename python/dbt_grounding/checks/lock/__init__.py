"""grounding.lock.json: the agents' interface of a project, committed, and every change to it classified.

The lock holds, for every grounding mart and every model, seed, snapshot and source upstream of it, the columns with
normalized types, the accepted values of categorical columns (from `accepted_values` tests) and whether a contract
is enforced; per mart its key and the exposures depending on it. It is deterministic (sorted keys and lists, no
clock values, no absolute paths), so a pull request shows an interface change as a diff of the lock.

- model.py: its shape (msgspec Structs), shared by the three below;
- build.py: the lock of the current manifest;
- file.py: writing it, and reading it with errors naming the malformed field;
- compare.py: every difference between a lock and the manifest, as findings.
"""

from dbt_grounding.checks.lock.build import build_lock
from dbt_grounding.checks.lock.compare import compare_lock
from dbt_grounding.checks.lock.file import lock_text, parse_lock, read_lock, write_lock
from dbt_grounding.checks.lock.model import LOCK_FILE, LOCK_VERSION, Lock, LockedMart, LockedNode

__all__ = ["LOCK_FILE", "LOCK_VERSION", "Lock", "LockedMart", "LockedNode", "build_lock", "compare_lock",
           "lock_text", "parse_lock", "read_lock", "write_lock"]
