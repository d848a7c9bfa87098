"""Names a package loads from its modules on first use (PEP 562), so that importing the package costs nothing: every
`dbt-grounding` command imports the packages it registers, and `--help` or model lineage must not pay for sqlglot,
the warehouse drivers or the lock builder (python/tests/cli/test_cold_imports.py pins it)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A package's module-level `__getattr__`: `name` from the module `homes[name]` of `package`, imported when first
    asked for and then kept as the package's attribute (later look-ups skip this function)."""

    def __getattr__(name: str) -> Any:
        module = homes.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
