"""Engine drivers are optional extras, imported only when a target of that engine is opened."""

from __future__ import annotations

import importlib
from typing import Any

from dbt_grounding.errors import ConfigurationError

__all__ = ["import_driver"]


def import_driver(*modules: str, extra: str, engine: str) -> Any:
    """An engine's driver, an optional extra imported only when a target of that engine is opened.

    Args:
        modules: the modules to import (submodules a driver needs loaded explicitly after it); the first is returned.
        extra: the dbt-grounding extra that installs it.
        engine: the engine, for the message.

    Raises:
        ConfigurationError: the driver is not installed, with the pip command that installs it.
    """
    try:
        imported = [importlib.import_module(module) for module in modules]
    except ImportError as exc:
        raise ConfigurationError(
            f"Reading a {engine} target needs {modules[0]}, which is not installed.",
            hint=f"pip install 'dbt-grounding[{extra}]'", missing=modules[0],
        ) from exc
    return imported[0]
