"""Write-audit-publish for DuckDB: a build the gate passes is copied into a serving store the build never touches
(publish.store), and agents read that copy (see publish.publisher)."""

from dbt_grounding.publish.publisher import Publication, PublishRefusedError, publish, publish_project
from dbt_grounding.publish.store import PublishedBuild, PublishedMart, read_current

__all__ = ["Publication", "PublishRefusedError", "PublishedBuild", "PublishedMart", "publish", "publish_project",
           "read_current"]
