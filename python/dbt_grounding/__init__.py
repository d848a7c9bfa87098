"""dbt-grounding: the grounding layer between a dbt warehouse and AI agents.

    from dbt_grounding import GroundingProject
    project = GroundingProject.open(".")
    doc = project.context("fct_customer_health_summary", key={"customer_id": 42})
    doc.to_markdown(); doc.to_json()
    project.lineage("fct_customer_health_summary"); project.column_lineage("fct_customer_health_summary")
"""

from importlib.metadata import PackageNotFoundError, version

try:  # the one version number is pyproject.toml's, as installed
    __version__ = version("dbt-grounding")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"

from dbt_grounding.project import GroundingProject  # noqa: E402 - after __version__, which the CLI imports

__all__ = ["GroundingProject", "__version__"]
