"""End-to-end tests share the scratch-copy fixtures of python/tests/conftest.py."""

from conftest import copy_build, copy_project_sources  # noqa: F401 - re-exported for the tests here
