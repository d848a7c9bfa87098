"""The other engines the package must build on: a throwaway PostgreSQL cluster (scripts/pg_cluster.sh) and Spark in
local mode inside the dbt process (dbt-spark[session]). Tests stop what they start; the benchmarks
(benchmarks/build_engines.py) start them through these helpers too."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dbt_runner import REPO_ROOT

PG_CLUSTER_SCRIPT = REPO_ROOT / "scripts" / "pg_cluster.sh"
# in the work directory of the session's Spark build: what dbt and Spark's JVM printed during seed + build
SPARK_BUILD_OUTPUT = "dbt_seed_and_build.log"


class EngineUnavailable(AssertionError):
    """An engine the suite must run on is missing from the machine: a failure that says what to install, never a
    silent skip (`pytest -m "not pg and not spark"` is the explicit way to leave the engines out)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class PostgresCluster:
    """A running cluster: the DBT_GROUNDING_PG_* settings the `pg` target reads."""

    data_dir: Path
    port: int
    user: str = "dbt_grounding"
    database: str = "dbt_grounding"

    def env(self) -> dict[str, str]:
        return {
            "DBT_GROUNDING_PG_DIR": str(self.data_dir),
            "DBT_GROUNDING_PG_HOST": "127.0.0.1",
            "DBT_GROUNDING_PG_PORT": str(self.port),
            "DBT_GROUNDING_PG_USER": self.user,
            "DBT_GROUNDING_PG_DATABASE": self.database,
        }

    def dbt_env(self, schema: str = "main") -> tuple[tuple[str, str], ...]:
        return tuple(sorted({**self.env(), "DBT_GROUNDING_TARGET": "pg", "DBT_GROUNDING_PG_SCHEMA": schema}.items()))

    def script(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(PG_CLUSTER_SCRIPT), command], env={**os.environ, **self.env()},
            capture_output=True, text=True, timeout=120,
        )

    def connect(self):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=self.database)


def start_cluster(cluster: PostgresCluster) -> None:
    """Start `cluster` (scripts/pg_cluster.sh: initdb into its data directory, then the server on its port)."""
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not os.environ.get("PG_BINDIR"):
        raise EngineUnavailable(
            "PostgreSQL server binaries are missing (no /usr/lib/postgresql/*/bin/initdb): "
            "apt-get install -y postgresql, or run the fast suite with -m 'not pg and not spark'"
        )
    if os.geteuid() == 0:
        # the server runs as `postgres`, which must be able to reach its data directory under the pytest temp dir
        for parent in [cluster.data_dir.parent, *cluster.data_dir.parent.parents]:
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)
    started = cluster.script("start")
    if started.returncode != 0:
        raise EngineUnavailable(f"scripts/pg_cluster.sh start failed:\n{started.stdout}\n{started.stderr}")


@contextmanager
def postgres_cluster(data_dir: Path) -> Iterator[PostgresCluster]:
    """Start a cluster in `data_dir` on a free loopback port; stop and delete it on the way out."""
    cluster = PostgresCluster(data_dir=data_dir, port=free_port())
    start_cluster(cluster)
    try:
        yield cluster
    finally:
        cluster.script("destroy")


def require_java() -> str:
    """The `java` Spark will launch; a failure naming what to install when there is none."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise EngineUnavailable(
            "Spark needs Java 17 and none was found (no `java` on PATH, JAVA_HOME unset): "
            "apt-get install -y openjdk-17-jre-headless, or run the fast suite with -m 'not pg and not spark'"
        )
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise EngineUnavailable(
            "pyspark is not installed: pip install -e '.[spark]' (make install does it)"
        ) from error
    return java


def spark_env(spark_dir: Path, schema: str = "main") -> tuple[tuple[str, str], ...]:
    """The `spark` target's settings: warehouse and Derby metastore under `spark_dir`, the driver on loopback."""
    return tuple(sorted({
        "DBT_GROUNDING_TARGET": "spark",
        "DBT_GROUNDING_SPARK_DIR": str(spark_dir),
        "DBT_GROUNDING_SPARK_SCHEMA": schema,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }.items()))


def spark_conf(project_dir: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The `spark` target's server_side_parameters of the project's profiles.yml, rendered with `environ`."""
    import yaml

    from dbt_grounding.warehouse.rendering import render_data

    profile = yaml.safe_load((project_dir / "profiles.yml").read_text())
    output = render_data(profile["dbt_grounding"]["outputs"]["spark"], environ=environ, source="profiles.yml")
    return {key: str(value) for key, value in output["server_side_parameters"].items()}


def spark_session(project) -> "pyspark.sql.SparkSession":  # noqa: F821
    """Spark in this process, configured exactly as the project's `spark` target (profiles.yml rendered with the
    project's env), so it reads the tables dbt built. Only after every dbt run on that Spark dir has finished."""
    from pyspark.sql import SparkSession

    environ = project.env()
    os.environ["SPARK_LOCAL_IP"] = environ["SPARK_LOCAL_IP"]
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(project.project_dir, environ).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
