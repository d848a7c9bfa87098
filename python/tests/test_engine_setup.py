"""The throwaway engines themselves: the PostgreSQL cluster script is idempotent and cleans up after itself, and a
machine without Java fails the Spark job with a message saying so instead of skipping it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from engines import EngineUnavailable, postgres_cluster, require_java


@pytest.mark.pg
def test_pg_cluster_script_is_idempotent_and_stops_what_it_started(tmp_path: Path) -> None:
    data_dir = tmp_path / "pg"
    with postgres_cluster(data_dir) as cluster:
        assert cluster.script("status").returncode == 0
        again = cluster.script("start")  # already running: a no-op that still succeeds
        assert again.returncode == 0 and "already running" in again.stdout
        with cluster.connect() as connection, connection.cursor() as cursor:
            cursor.execute("select current_user, current_database(), inet_server_addr()::text")
            assert cursor.fetchone() == ("dbt_grounding", "dbt_grounding", "127.0.0.1/32")
        if os.geteuid() == 0:  # postgres refuses root: the server runs as the postgres system user
            owner = subprocess.run(["stat", "-c", "%U", str(data_dir)], capture_output=True, text=True).stdout.strip()
            assert owner == "postgres"
        assert cluster.script("stop").returncode == 0
        assert cluster.script("status").returncode == 3
        assert "not running" in cluster.script("stop").stdout  # stopping twice is fine too
        assert cluster.script("start").returncode == 0  # and it starts again from the same data directory
    assert not data_dir.exists()
    assert cluster.script("status").returncode == 3


def test_pg_cluster_script_rejects_an_unknown_command() -> None:
    result = subprocess.run(
        ["bash", "scripts/pg_cluster.sh", "restart-everything"], capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 2 and "usage:" in result.stderr


def test_missing_java_fails_the_spark_job_with_a_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no java on it
    with pytest.raises(EngineUnavailable, match="Spark needs Java 17"):
        require_java()
