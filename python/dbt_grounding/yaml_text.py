"""YAML as the library reads it: `yaml.safe_load`, with libyaml's C parser when PyYAML was built with it.

The pure-Python parser takes ~25 ms for dbt_project.yml and profiles.yml, a tenth of a cold command's budget; the C
one takes under 1 ms and builds the same data. Errors are PyYAML's (`yaml.YAMLError`) either way.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """The data of one YAML document (plain types only, as `yaml.safe_load`)."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python
