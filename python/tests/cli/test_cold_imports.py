"""What a cold `dbt-grounding` process imports: the libraries a command does not use stay unimported, so start-up
does not pay for them (issue 16: `--help` <= 0.15 s). Checked through `sys.modules` and Python's own import log
(PYTHONPROFILEIMPORTTIME) of a fresh process, never through a clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_runner import REPO_ROOT, DbtProject, copy_build

CLI = str(Path(sys.executable).with_name("dbt-grounding"))

# Heavy third-party libraries (tens to hundreds of milliseconds each) and the library's own expensive layers.
HEAVY = ("sqlglot", "pydantic", "pydantic_core", "jinja2", "duckdb", "dbt", "mcp", "jsonschema", "tiktoken",
         "psycopg2", "pyspark", "yaml", "importlib.metadata", "msgspec",
         "dbt_grounding.project", "dbt_grounding.warehouse", "dbt_grounding.context", "dbt_grounding.lineage",
         "dbt_grounding.artifacts", "dbt_grounding.grounding", "dbt_grounding.serving", "dbt_grounding.agent",
         # what a command needs only when it runs: the request's telemetry, the check report writers (XML, SARIF)
         "dbt_grounding.telemetry", "dbt_grounding.checks.findings", "dbt_grounding.checks.reporters.junit",
         "dbt_grounding.checks.reporters.sarif", "xml")


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


# What the console script does (`from dbt_grounding.cli import run`), then the modules the process ended up with:
# sys.modules is exact, where Python's import log misses modules loaded through importlib.import_module (the lazy
# package attributes) and shows only what they import in turn.
RUN_AND_LIST = ("import json, sys\nfrom dbt_grounding.cli import main\ncode = main(sys.argv[1:])\n"
                "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\nsys.exit(code)")


def _imported_by(args: list[str], env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh process running `dbt-grounding ARGS` imported."""
    return _run_and_list(args, env)[1]


def _run_and_list(args: list[str], env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    """What a fresh process running `dbt-grounding ARGS` printed on stdout, and the modules it imported."""
    result = subprocess.run([sys.executable, "-c", RUN_AND_LIST, *args], capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    listed = [line for line in result.stderr.splitlines() if line.startswith("MODULES ")]
    assert len(listed) == 1, result.stderr[-2000:]
    return result.stdout, set(json.loads(listed[0].removeprefix("MODULES ")))


def _logged_by(command: list[str]) -> set[str]:
    """The modules Python's import log (PYTHONPROFILEIMPORTTIME) shows a fresh process importing."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert len(lines) > 20, "no import log: PYTHONPROFILEIMPORTTIME was not honoured"
    return {line.rsplit("|", 1)[1].strip() for line in lines}


def test_importing_the_cli_imports_no_heavy_module() -> None:
    code = "import json, sys\nimport dbt_grounding.cli\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    modules = set(json.loads(result.stdout))
    assert "dbt_grounding.cli" in modules  # the check looked at a real import of the CLI
    assert _heavy(modules) == []
    assert _command_modules(modules) == []  # each is imported by the process running its command only


def _command_modules(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith("dbt_grounding.cli.") and m.endswith("_command"))


@pytest.mark.parametrize("args", [["--help"], ["context", "--help"], ["lineage", "--help"], ["check", "--help"]])
def test_help_imports_no_heavy_module(args: list[str]) -> None:
    modules = _imported_by(args)
    assert "dbt_grounding.cli" in modules
    assert _heavy(modules) == []
    # the command asked about and what it imports itself (check registers lock's --lock option), no other
    expected = {"context": ["context_command"], "lineage": ["lineage_command"],
                "check": ["check_command", "lock_command"]}.get(args[0], [])
    assert _command_modules(modules) == [f"dbt_grounding.cli.{name}" for name in expected]


def test_the_installed_console_script_imports_no_heavy_module_for_help() -> None:
    modules = _logged_by([CLI, "--help"])
    assert "dbt_grounding.cli" in modules
    assert _heavy(modules) == []


def test_the_package_still_offers_its_names_when_asked() -> None:
    code = ("import sys, dbt_grounding\n"
            "assert 'dbt_grounding.project' not in sys.modules\n"
            "print(dbt_grounding.GroundingProject.__module__, dbt_grounding.__version__ != '')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["dbt_grounding.project", "True"]
    with pytest.raises(AttributeError):
        import dbt_grounding

        dbt_grounding.no_such_name  # noqa: B018


# What model-level lineage may import: the manifest reader and its index (msgspec), dbt_project.yml's reader (yaml,
# until the name is kept) to check the artifacts are this project's, and no SQL parser, warehouse driver, template
# engine or document model.
LINEAGE_NEVER = ("sqlglot", "duckdb", "jinja2", "pydantic", "tiktoken", "mcp", "dbt",
                 "dbt_grounding.warehouse", "dbt_grounding.context", "dbt_grounding.lineage.columns",
                 "dbt_grounding.artifacts.build_record", "dbt_grounding.artifacts.catalog")


@pytest.mark.dbt
def test_model_lineage_imports_no_sql_parser_nor_warehouse(built_package: DbtProject) -> None:
    args = ["lineage", "fct_customer_health_summary", "--direction", "up", "--format", "json",
            "--project-dir", str(REPO_ROOT), "--target-path", str(built_package.target_path)]
    for _ in range(2):  # the manifest index written, then read
        modules = _imported_by(args)
        assert "dbt_grounding.lineage.graph" in modules and "dbt_grounding.artifacts.manifest_index" in modules
        assert sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in LINEAGE_NEVER)) == []
    # the second process read the index alone: dbt_project.yml's name is kept beside the artifacts while the file is
    # unchanged (artifacts.ownership), and nothing is written
    assert {"yaml", "tempfile"} & modules == set()


# What a document of an unchanged build may not import: the SQL parser (its column lineage paths, projections and
# the columns children read are kept beside the artifacts by the first process, lineage.traced; types spelled alike
# are compared without parsing), nor the token counter, the agent server, dbt, or the question answering; nor (issue
# 16: a cold `context` <= 0.4 s) pydantic (the document model is dataclasses, context.types), jinja2 (the Markdown
# and JSON forms are rendered in Python, context.markdown; the profile's env_var path without it) or the duckdb
# package around DuckDB's engine module `_duckdb` (its relational API, warehouse.duckdb).
CONTEXT_NEVER = ("sqlglot", "tiktoken", "mcp", "dbt", "dbt_grounding.lineage.columns", "dbt_grounding.lineage.resolver",
                 "dbt_grounding.warehouse.types", "dbt_grounding.agent", "dbt_grounding.ask",
                 "pydantic", "pydantic_core", "jinja2", "duckdb", "dbt_grounding.publish.publisher")


@pytest.mark.dbt
@pytest.mark.parametrize("form", ["markdown", "json"])
def test_context_of_an_unchanged_build_imports_no_sql_parser(built_package: DbtProject, form: str) -> None:
    args = ["context", "fct_customer_health_summary", "--key", "customer_id=51", "--format", form,
            "--project-dir", str(REPO_ROOT), "--target-path", str(built_package.target_path)]
    _imported_by(args, built_package.env())  # the first process after the build traces (and keeps) what it needs
    output, modules = _run_and_list(args, built_package.env())
    assert "customer_id" in output and "Maple Software Ltd" in output  # the row was read and served
    assert {"_duckdb", "dbt_grounding.lineage.traced", "dbt_grounding.serving.schema_check"} <= modules  # served
    assert sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in CONTEXT_NEVER)) == []


# What `lineage --columns` may import when an earlier process kept its answer for these very artifacts
# (cli.kept_answers): no SQL parser, no facade, no warehouse driver, no document model or templates.
KEPT_COLUMNS_NEVER = ("sqlglot", "duckdb", "jinja2", "pydantic", "tiktoken", "mcp", "dbt", "dbt_grounding.project",
                      "dbt_grounding.warehouse", "dbt_grounding.context", "dbt_grounding.lineage.columns",
                      "dbt_grounding.lineage.cache", "dbt_grounding.serving", "dbt_grounding.artifacts.build_record")


def _requests(target_path: Path) -> list[dict]:
    folder = target_path / "dbt_grounding" / "telemetry"
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]


@pytest.mark.dbt
def test_kept_column_lineage_is_printed_without_sql_parser_nor_facade(built_package: DbtProject,
                                                                       tmp_path: Path) -> None:
    build = copy_build(built_package, tmp_path / "build")  # its own artifacts: this test rewrites manifest.json
    args = ["lineage", "fct_customer_health_summary", "--columns", "--format", "json",
            "--project-dir", str(REPO_ROOT), "--target-path", str(build.target_path)]
    env = {**build.env(), "DBT_GROUNDING_TELEMETRY": "jsonl"}  # the suite's default is off
    worked_out, first = _run_and_list(args, env)
    assert "dbt_grounding.project" in first  # the first process after the build opened the project
    kept, second = _run_and_list(args, env)
    assert kept == worked_out and json.loads(kept)["columns"]
    assert sorted(m for m in second if any(m == h or m.startswith(h + ".") for h in KEPT_COLUMNS_NEVER)) == []
    # the request is logged as when the project was opened: same role, dbt invocation and answer
    logged = [{k: event[k] for k in ("tool", "role", "invocation_id", "document_hash", "outcome")}
              for event in _requests(build.target_path)]
    assert len(logged) == 2 and logged[0] == logged[1] and logged[0]["invocation_id"]

    # a changed build is worked out again, never served the kept answer: the mart's compiled SQL removed
    manifest_path = build.target_path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    mart = next(node for node in manifest["nodes"].values() if node["name"] == "fct_customer_health_summary")
    mart["compiled_code"] = None
    manifest_path.write_text(json.dumps(manifest))
    changed, third = _run_and_list(args, env)
    assert "dbt_grounding.project" in third and changed != kept
    assert "no_compiled_code" in changed
    again, fourth = _run_and_list(args, env)
    assert again == changed and "dbt_grounding.project" not in fourth  # and that answer is kept in turn


# What `context` runs, each statement the warehouse is sent (Warehouse.on_query) listed on stderr after the command.
RUN_AND_LOG_QUERIES = (
    "import json, sys\nfrom dbt_grounding.warehouse.base import Warehouse\nsent = []\ninit = Warehouse.__init__\n"
    "def logged(self, *, on_query=None):\n    init(self, on_query=lambda sql, params: sent.append(sql))\n"
    "Warehouse.__init__ = logged\nfrom dbt_grounding.cli import main\ncode = main(sys.argv[1:])\n"
    "sys.stderr.write('\\nQUERIES ' + json.dumps(sent) + '\\n')\nsys.exit(code)")


def _context_and_listings(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], int]:
    """A fresh `dbt-grounding ARGS` and how many schema listings (information_schema queries) it sent."""
    result = subprocess.run([sys.executable, "-c", RUN_AND_LOG_QUERIES, *args], capture_output=True, text=True,
                            timeout=300, env=env)
    logged = [line for line in result.stderr.splitlines() if line.startswith("QUERIES ")]
    assert len(logged) == 1, result.stderr[-2000:]
    return result, sum("information_schema" in sql for sql in json.loads(logged[0].removeprefix("QUERIES ")))


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


@pytest.mark.dbt
def test_a_passing_schema_check_is_kept_until_the_warehouse_changes(built_package: DbtProject, tmp_path: Path) -> None:
    """serving.kept_checks: the second `context` of an unchanged build lists no schema; a write to the DuckDB file,
    a real dbt run included, and a write still in its .wal (not checkpointed) make the next one check again."""
    import duckdb

    build = copy_build(built_package, tmp_path / "build")  # this test writes to its warehouse
    args = ["context", "fct_customer_health_summary", "--key", "customer_id=51", "--format", "json",
            "--role", "customer_success_agent",
            "--project-dir", str(REPO_ROOT), "--target-path", str(build.target_path)]
    env = build.env()
    checked, listings = _context_and_listings(args, env)
    assert checked.returncode == 0 and listings > 0, checked.stderr[-2000:]
    kept, listings = _context_and_listings(args, env)
    assert kept.returncode == 0 and listings == 0, kept.stderr[-2000:]
    first, second = json.loads(checked.stdout), json.loads(kept.stdout)
    assert second["rows"] == first["rows"] and second["columns"] == first["columns"] and first["rows"]
    # a corrupt entry is checked again, never trusted
    # (the shared build copied may hold other marts' entries, kept by tests that ran before on this worker)
    entry = build.target_path / "dbt_grounding" / "kept_checks" / "model.dbt_grounding.fct_customer_health_summary.json"
    assert entry.is_file()
    entry.write_text('{"format": 1, "key": "')
    rechecked, listings = _context_and_listings(args, env)
    assert rechecked.returncode == 0 and listings > 0

    # a real dbt run rewriting a relation upstream (its artifacts written elsewhere: only the DuckDB file moves)
    database = build.duckdb_path
    before = _stamp(database)
    dbt = subprocess.run([str(Path(sys.executable).with_name("dbt")), "run", "--select", "dim_customers",
                          "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT)],
                         env={**env, "DBT_TARGET_PATH": str(tmp_path / "elsewhere")}, capture_output=True, text=True,
                         timeout=900, cwd=REPO_ROOT)
    assert dbt.returncode == 0, dbt.stdout[-3000:]
    assert _stamp(database) != before
    after_run, listings = _context_and_listings(args, env)
    assert after_run.returncode == 0 and listings > 0, after_run.stderr[-2000:]
    assert _context_and_listings(args, env)[1] == 0  # kept again

    # a column the mart reads dropped, the write left in the write-ahead log (no checkpoint): the file itself
    # looks untouched, the .wal does not
    before, wal = _stamp(database), database.with_name(database.name + ".wal")
    connection = duckdb.connect(str(database))
    connection.execute("PRAGMA disable_checkpoint_on_shutdown")
    connection.execute("ALTER TABLE main.dim_customers DROP COLUMN segment")
    connection.close()
    assert _stamp(database) == before and wal.exists()
    drifted, listings = _context_and_listings(args, env)
    assert drifted.returncode == 1 and listings > 0
    assert "schema drift" in drifted.stderr and "dim_customers" in drifted.stderr and "segment" in drifted.stderr
    again, _ = _context_and_listings(args, env)  # a drift is never kept
    assert again.returncode == 1 and "schema drift" in again.stderr


@pytest.mark.parametrize("given", [None, "pydantic_plugin_of_the_user"])
def test_the_console_script_turns_pydantic_plugins_off_unless_the_user_says(given: str | None, monkeypatch,
                                                                            capsys) -> None:
    """Their entry-point scan costs a cold command ~10-25 ms; the console script only (main() and the library leave
    the environment alone), and a value the user set is kept."""
    from dbt_grounding.cli import main, run

    if given is None:
        monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", given)
    assert main(["--help"]) == 0
    assert os.environ.get("PYDANTIC_DISABLE_PLUGINS") == given
    monkeypatch.setattr(sys, "argv", ["dbt-grounding", "--help"])
    with pytest.raises(SystemExit):
        run()
    assert os.environ.get("PYDANTIC_DISABLE_PLUGINS") == (given or "__all__")
    capsys.readouterr()
