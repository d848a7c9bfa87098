"""dbt-grounding: the grounding layer between a dbt warehouse and AI agents.

    from dbt_grounding import GroundingProject
    project = GroundingProject.open(".")
    doc = project.context("fct_customer_health_summary", key={"customer_id": 42})
    doc.to_markdown(); doc.to_json()
    project.lineage("fct_customer_health_summary"); project.column_lineage("fct_customer_health_summary")
"""

__all__ = ["GroundingProject", "__version__"]


def __getattr__(name: str):
    # Both names are resolved on first use (PEP 562), not on import: every `dbt-grounding` command imports this
    # package first, and `--help` must not pay for the whole library (project.py) nor for importlib.metadata.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:  # the one version number is pyproject.toml's, as installed
            value = version("dbt-grounding")
        except PackageNotFoundError:  # a source tree on sys.path that was never installed
            value = "0+unknown"
    elif name == "GroundingProject":
        from dbt_grounding.project import GroundingProject as value
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # once: later look-ups find the module attribute and skip this function
    return value
