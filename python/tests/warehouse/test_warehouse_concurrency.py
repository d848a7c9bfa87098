"""A real `dbt build` in another process while this one keeps looking rows up in the same DuckDB file.

The build uses the package's profile, which sets dbt-duckdb's `retries: {connect_attempts: 10}`: dbt-duckdb tries
to open the file once by default, so a reader that happens to have it open at that instant (~15 ms per
operation) makes the build fail. Measured with a reader looping flat out: 5 of 6 builds failed with neither a
writer gap nor retries, 1 of 6 with the default 20 ms writer gap alone; with 5 retries one CI run of 8 still
failed, so the profile asks for 10 and the reader here paces itself like a busy server (warehouse/duckdb.py's
docstring has the design).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from dbt_grounding.warehouse import load_connection_settings, open_warehouse, writer_connect_attempts
from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject, dbt_executable

pytestmark = pytest.mark.dbt

MAX_LOOKUPS = 5_000  # bounds: the build takes ~10-20 s; nothing here asserts a speed
MAX_SECONDS = 600
# A busy agent server: ~20 documents a second. A reader looping with no pause at all leaves dbt-duckdb's connect
# retries (1, 2, 4 ... s apart) a ~40% chance per attempt of meeting a held file.
PAUSE_BETWEEN_DOCUMENTS_S = 0.05


def profiles_with_writer_retries(directory: Path) -> Path:
    """The package's profiles.yml with dbt-duckdb connect retries on every duckdb output."""
    profiles = yaml.safe_load((REPO_ROOT / "profiles.yml").read_text())
    for output in profiles["dbt_grounding"]["outputs"].values():
        output.setdefault("retries", {"connect_attempts": 10})
    directory.mkdir()
    (directory / "profiles.yml").write_text(yaml.safe_dump(profiles))
    return directory


def test_lookups_wait_through_a_real_build_and_never_block_it(built_package: DbtProject, tmp_path: Path) -> None:
    project = DbtProject(REPO_ROOT, tmp_path)
    shutil.copy(built_package.duckdb_path, project.duckdb_path)  # seeded and built: this build rebuilds it
    profiles_dir = profiles_with_writer_retries(tmp_path / "profiles")
    settings = load_connection_settings(REPO_ROOT, profiles_dir=profiles_dir, environ=project.env())
    assert settings.settings["path"] == str(project.duckdb_path)
    assert writer_connect_attempts(settings) == 10

    relation = ("warehouse", "main_ai_grounding", "fct_customer_health_summary")
    warehouse = open_warehouse(settings)
    command = [
        dbt_executable(), "build", "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}",
        "--project-dir", str(REPO_ROOT), "--profiles-dir", str(profiles_dir),
    ]
    log_file = tmp_path / "dbt_build.log"
    lookups = 0
    with log_file.open("w") as log:
        build = subprocess.Popen(command, cwd=REPO_ROOT, env=project.env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + MAX_SECONDS
            while build.poll() is None and lookups < MAX_LOOKUPS and time.monotonic() < deadline:
                with warehouse.session():  # what one grounding document needs: schema, row, as-of
                    assert warehouse.columns(relation)
                    rows = warehouse.fetch_rows(relation, {"customer_id": 11}, ["customer_id"], limit=1)
                    as_of = warehouse.max_value(relation, "as_of_date")
                assert rows == [{"customer_id": 11}] and as_of == datetime.date.fromisoformat(AS_OF_DATE)
                lookups += 1
                time.sleep(PAUSE_BETWEEN_DOCUMENTS_S)
            build.wait(timeout=MAX_SECONDS)
        finally:
            if build.poll() is None:
                build.kill()
                build.wait()
            warehouse.close()
    assert build.returncode == 0, log_file.read_text()[-4000:]
    assert lookups > 0
    # some lookups met the build's lock and waited it out (else the loop never overlapped the build)
    assert warehouse.lock_conflicts > 0
