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

from dbt_grounding._lazy import lazy_exports

# Each name from the module that defines it, imported on first use (PEP 562): the CLI reads LOCK_FILE to register its
# options, and that must not import build.py, which reads the warehouse (every command's start-up would pay for it).
_HOMES = {
    "build_lock": "build", "compare_lock": "compare",
    "lock_text": "file", "parse_lock": "file", "read_lock": "file", "write_lock": "file",
    "LOCK_FILE": "names", "LOCK_VERSION": "names", "Lock": "model", "LockedMart": "model", "LockedNode": "model",
}
__all__ = sorted(_HOMES)

__getattr__ = lazy_exports(__name__, _HOMES)
