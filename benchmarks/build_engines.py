#!/usr/bin/env python3
"""Benchmark: time and peak memory of the package's `dbt build` on DuckDB, PostgreSQL and Spark, side by side.

Not a test; nothing here asserts a time.

For each size and engine, in a fresh warehouse: load the raw data, then time `dbt build` (models, data tests, unit
tests; as-of date pinned) and sample the peak memory of the whole process tree doing the work.

    .venv/bin/python benchmarks/build_engines.py --sizes demo,1000000 --engines duckdb,postgres,spark
    .venv/bin/python benchmarks/build_engines.py --sizes demo,20000 --keep /tmp/bench-engines   # keep, reuse data

Sizes: `demo` is the committed sample data loaded by `dbt seed --vars '{dbt_grounding_load_raw_data: true}'` (its
wall time is the load time); a number N is N customers generated as Parquet by scripts/generate_raw_data.py and
loaded into <schema>_raw the way an EL tool would, every column text except `_loaded_at` (timestamp), like the seeds:

    duckdb     CREATE TABLE ... AS SELECT from the Parquet files, in the build's DuckDB file
    postgres   DuckDB turns each Parquet file into CSV, COPY ... FROM STDIN (psycopg2), then ANALYZE
    spark      a PySpark process of its own, configured like the profile's `spark` target (its
               server_side_parameters rendered with this environment): CREATE TABLE ... USING parquet AS SELECT
               ... FROM parquet.`file`; it exits before dbt starts, since the Derby metastore admits one process

Engines are the profile's targets (DBT_GROUNDING_TARGET): `duckdb`; `pg` on a throwaway cluster
(scripts/pg_cluster.sh, a temporary data directory on a free port, destroyed after the run); `spark` in local mode
inside the dbt process (warehouse and metastore in a temporary DBT_GROUNDING_SPARK_DIR).

Peak memory: every ~100 ms the sum of VmRSS over the dbt process and all its descendants (Spark's JVM is one), plus
for PostgreSQL the postmaster and all its children (backends, parallel workers, background processes), read from
/proc; the maximum of the sums is reported. Processes younger than the sampling interval are left out (a child the
JVM spawns for `chmod` shares the JVM's memory until its exec and would count it twice). Summed RSS counts a page
shared by several processes once per process (PostgreSQL's shared buffers in every backend that touched them), so
the sum of Pss, which splits shared pages between their sharers, is reported too (sampled every ~1 s: dearer to read).

The Markdown table goes to stdout; progress to stderr. A failing dbt command aborts the run with the tail of its
output (the table then holds the rows done, a failed `dbt build` among them).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench_common import (
    BUILD_VARS, RAW_TABLES, REPO_ROOT, dbt_args, dbt_env, dbt_executable, generate, load_raw_duckdb,
)
from engines import EngineUnavailable, PostgresCluster, free_port, spark_conf, spark_env, start_cluster

ENGINES = {"duckdb": "duckdb", "postgres": "pg", "spark": "spark"}  # engine -> profiles.yml target
SCHEMA = "main"  # the target schema on every engine; the raw tables live in main_raw
LOAD_RAW_VARS = "{dbt_grounding_load_raw_data: true}"


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- memory of a process tree ------------------------------------------------------------------------------------

def _read(path: str) -> str | None:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:  # the process ended between listing and reading
        return None


def _field_kib(text: str | None, name: str) -> int:
    for line in (text or "").splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    return 0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(roots: list[int], min_age: float = 0.0) -> list[int]:
    """The roots and all their descendants at least min_age seconds old, found by scanning /proc for parent ids.

    The age filter leaves out a child in its first instants: the JVM starts `chmod` for every file Spark writes
    (Hadoop's local file system) through posix_spawn, and until the exec the child shares the JVM's memory (vfork),
    so /proc shows it with the JVM's whole RSS; counted, it would double the JVM in that sample."""
    now = float(_read("/proc/uptime").split()[0])
    children: dict[int, list[int]] = defaultdict(list)
    young: set[int] = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _read(f"/proc/{entry.name}/stat")
            if stat:
                # the fields after the command name (which may hold spaces and parentheses): state, ppid, ...,
                # starttime (field 22: clock ticks after boot)
                fields = stat[stat.rindex(")") + 2:].split()
                children[int(fields[1])].append(int(entry.name))
                if now - int(fields[19]) / CLOCK_TICKS < min_age:
                    young.add(int(entry.name))
    tree, stack = [], list(roots)
    while stack:
        pid = stack.pop()
        if pid in roots or pid not in young:
            tree.append(pid)
        stack.extend(children.get(pid, ()))
    return tree


class TreeMemorySampler(threading.Thread):
    """Polls the summed RSS of process trees every `interval` seconds until stopped, and the summed PSS every
    `pss_every` samples (smaps_rollup walks the page tables: ~10 ms for a JVM of a few GiB, too dear for a 2-core
    machine 10 times a second). Keeps the peaks (KiB)."""

    def __init__(self, roots: list[int], interval: float = 0.1, pss_every: int = 10) -> None:
        super().__init__(daemon=True)
        self.roots, self.interval, self.pss_every = roots, interval, pss_every
        self.peak_rss = self.peak_pss = self.samples = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        tree = process_tree(self.roots, min_age=self.interval)
        rss = sum(_field_kib(_read(f"/proc/{pid}/status"), "VmRSS:") for pid in tree)
        self.peak_rss = max(self.peak_rss, rss)
        if self.samples % self.pss_every == 0:
            pss = sum(_field_kib(_read(f"/proc/{pid}/smaps_rollup"), "Pss:") for pid in tree)
            self.peak_pss = max(self.peak_pss, pss)
        self.samples += 1

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- running dbt ---------------------------------------------------------------------------------------------------

@dataclass
class Measured:
    seconds: float
    peak_rss_mib: float
    peak_pss_mib: float
    timed_out: bool = False
    returncode: int = 0


def run_measured(command: list[str], env: dict[str, str], cwd: Path, output: Path,
                 extra_roots: list[int] | tuple[()] = (), timeout: float | None = None, check: bool = True) -> Measured:
    """Run a command (output to a file), sampling the memory of its process tree plus extra_roots' trees. A failure
    aborts with the tail of the output (unless check is off: the caller reports it); past the timeout the whole
    process group is stopped and the run flagged."""
    timed_out = False
    with output.open("w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        sampler = TreeMemorySampler([process.pid, *extra_roots])
        sampler.start()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            progress(f"stopping after {timeout:.0f} s: {' '.join(command[:2])}")
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        finally:
            elapsed = time.perf_counter() - started
            sampler.stop()
    measured = Measured(elapsed, sampler.peak_rss / 1024, sampler.peak_pss / 1024, timed_out,
                        0 if timed_out else process.returncode)
    if measured.returncode != 0 and check:
        raise SystemExit(failure_message(command, output, measured.returncode))
    return measured


def failure_message(command: list[str], output: Path, returncode: int) -> str:
    """The tail of a failed command's output (to stderr), and the message to abort with."""
    sys.stderr.write(output.read_text()[-6000:])
    return f"failed (exit {returncode}): {shlex.join(command)}\nfull output: {output}"


def node_counts(target_dir: Path) -> str:
    """`passed/total` over run_results.json (models, seeds, data tests, unit tests, exposures), as dbt's summary
    counts them; the other statuses (no-op for the exposure, warn, error, fail, skipped) noted."""
    statuses = [result["status"] for result in json.loads((target_dir / "run_results.json").read_text())["results"]]
    passed = sum(status in ("success", "pass") for status in statuses)
    notes = [f"{statuses.count(status)} {status}" for status in sorted(set(statuses) - {"success", "pass"})]
    return f"{passed}/{len(statuses)}" + (f" ({', '.join(notes)})" if notes else "")


# --- engines -------------------------------------------------------------------------------------------------------

class Engine:
    """One engine's fresh warehouse under run_dir: the dbt settings, raw loading, and teardown."""

    name = ""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir

    def env(self) -> dict[str, str]:
        return dbt_env(DBT_GROUNDING_TARGET=ENGINES[self.name])

    def start(self) -> None:
        pass

    def server_pids(self) -> list[int]:
        return []

    def load_raw(self, raw_dir: Path) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        pass


class DuckDBEngine(Engine):
    name = "duckdb"

    @property
    def path(self) -> Path:
        return self.run_dir / "warehouse.duckdb"

    def env(self) -> dict[str, str]:
        return {**super().env(), "DBT_GROUNDING_DUCKDB_PATH": str(self.path)}

    def load_raw(self, raw_dir: Path) -> None:
        load_raw_duckdb(self.path, raw_dir)

    def stop(self) -> None:
        self.path.unlink(missing_ok=True)
        self.path.with_suffix(".duckdb.wal").unlink(missing_ok=True)


class PostgresEngine(Engine):
    name = "postgres"

    def __init__(self, run_dir: Path) -> None:
        super().__init__(run_dir)
        self.cluster = PostgresCluster(data_dir=run_dir / "pgdata", port=free_port())

    def env(self) -> dict[str, str]:
        return {**super().env(), **dict(self.cluster.dbt_env(SCHEMA))}

    def start(self) -> None:
        try:
            start_cluster(self.cluster)
        except EngineUnavailable as error:  # ends the run with the rows done, like a failed dbt command
            raise SystemExit(str(error)) from error

    def server_pids(self) -> list[int]:
        # postmaster.pid's first line is the postmaster's pid; backends and workers are its children
        return [int(_read(str(self.cluster.data_dir / "postmaster.pid")).splitlines()[0])]

    def connect(self):
        return self.cluster.connect()

    def load_raw(self, raw_dir: Path) -> None:
        import duckdb

        csv_path = self.run_dir / "raw_load.csv"
        connection = self.connect()
        try:
            with connection, connection.cursor() as cursor, duckdb.connect() as local:
                cursor.execute(f"create schema if not exists {SCHEMA}_raw")
                for table in RAW_TABLES:
                    parquet = str(raw_dir / f"{table}.parquet").replace("'", "''")
                    columns = [row[0] for row in local.execute(f"describe select * from read_parquet('{parquet}')").fetchall()]
                    cursor.execute(f"create table {SCHEMA}_raw.{table} (" + ", ".join(
                        f"{column} {'timestamp' if column == '_loaded_at' else 'varchar'}" for column in columns) + ")")
                    local.execute(
                        f"copy (select * replace (cast(_loaded_at as timestamp) as _loaded_at) "
                        f"from read_parquet('{parquet}')) to '{csv_path}' (format csv, header false)"
                    )
                    with csv_path.open() as data:
                        cursor.copy_expert(f"copy {SCHEMA}_raw.{table} from stdin with (format csv)", data)
                    csv_path.unlink()
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("analyze")
        finally:
            connection.close()

    def stop(self) -> None:
        self.cluster.script("destroy")


class SparkEngine(Engine):
    name = "spark"

    @property
    def spark_dir(self) -> Path:
        return self.run_dir / "spark"

    def env(self) -> dict[str, str]:
        return {**super().env(), **dict(spark_env(self.spark_dir, SCHEMA))}

    def load_raw(self, raw_dir: Path) -> None:
        # its own process: the Derby metastore admits one at a time, and dbt's Spark comes next
        result = subprocess.run([sys.executable, __file__, "--spark-load-raw", str(raw_dir)], env=self.env(),
                                cwd=self.run_dir, capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
            raise SystemExit("the Spark raw load failed")

    def stop(self) -> None:
        shutil.rmtree(self.spark_dir, ignore_errors=True)


ENGINE_CLASSES = {engine.name: engine for engine in (DuckDBEngine, PostgresEngine, SparkEngine)}


def spark_load_raw(raw_dir: Path) -> None:
    """(In a subprocess) CREATE TABLE main_raw.<t> USING parquet AS SELECT the Parquet file, typed like the seeds."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("dbt-grounding raw load").enableHiveSupport()
    for key, value in spark_conf(REPO_ROOT, os.environ).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        spark.sql(f"create database if not exists {SCHEMA}_raw")
        for table in RAW_TABLES:
            path = raw_dir / f"{table}.parquet"
            columns = spark.read.parquet(str(path)).columns
            select = ", ".join(
                f"cast(`{column}` as {'timestamp' if column == '_loaded_at' else 'string'}) as `{column}`"
                for column in columns
            )
            spark.sql(f"create table {SCHEMA}_raw.{table} using parquet as select {select} from parquet.`{path}`")
    finally:
        spark.stop()


# --- sizes ---------------------------------------------------------------------------------------------------------

def demo_raw_rows() -> int:
    rows = 0
    for table in RAW_TABLES:
        with (REPO_ROOT / "seeds" / "raw" / f"{table}.csv").open(newline="") as handle:
            rows += sum(1 for _ in csv.reader(handle)) - 1
    return rows


def parquet_raw_rows(raw_dir: Path) -> int:
    import duckdb

    with duckdb.connect() as connection:
        return sum(connection.execute("select count(*) from read_parquet(?)", [str(raw_dir / f"{table}.parquet")])
                   .fetchone()[0] for table in RAW_TABLES)


@dataclass
class Row:
    engine: str
    size: str
    raw_rows: int
    load_seconds: float
    build: Measured
    nodes: str
    load_average: float
    failure: str = ""  # the message of a failed `dbt build`

    def markdown(self) -> str:
        build = (f"> {self.build.seconds:,.0f} (stopped)" if self.build.timed_out
                 else f"failed after {self.build.seconds:,.1f}" if self.failure else f"{self.build.seconds:,.1f}")
        return (f"| {self.engine} | {self.size} | {self.raw_rows:,} | {self.load_seconds:,.1f} | {build} | "
                f"{self.build.peak_rss_mib:,.0f} | {self.build.peak_pss_mib:,.0f} | {self.nodes} |")


def run_one(engine_name: str, size: str, work_dir: Path, threads: int | None, timeout: float | None) -> Row:
    run_dir = work_dir / f"{size}-{engine_name}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    engine = ENGINE_CLASSES[engine_name](run_dir)
    env, dbt, common = engine.env(), dbt_executable(), dbt_args(run_dir, threads)
    label = "demo" if size == "demo" else f"{int(size):,} customers"
    try:
        engine.start()
        progress(f"{engine_name} {label}: loading raw data")
        if size == "demo":
            raw_rows = demo_raw_rows()
            load = run_measured([dbt, "seed", *common, "--vars", LOAD_RAW_VARS], env, run_dir,
                                run_dir / "dbt_seed.out", engine.server_pids())
            load_seconds = load.seconds
        else:
            raw_dir = work_dir / f"raw-{size}"
            generate(int(size), raw_dir)
            raw_rows = parquet_raw_rows(raw_dir)
            started = time.perf_counter()
            engine.load_raw(raw_dir)
            load_seconds = time.perf_counter() - started
            # the lookup seed, as benchmarks/build_marts.py does (not timed: `dbt build` seeds it again anyway)
            run_measured([dbt, "seed", *common, "--select", "plan_tiers"], env, run_dir, run_dir / "dbt_seed.out")
        load_average = os.getloadavg()[0]
        progress(f"{engine_name} {label}: {raw_rows:,} raw rows loaded in {load_seconds:.1f} s; dbt build "
                 f"(1-min load average {load_average:.2f})")
        command = [dbt, "build", *common, "--vars", BUILD_VARS]
        build = run_measured(command, env, run_dir, run_dir / "dbt_build.out", engine.server_pids(), timeout,
                             check=False)
        failure = failure_message(command, run_dir / "dbt_build.out", build.returncode) if build.returncode else ""
        nodes = "—" if build.timed_out else node_counts(run_dir / "target")
    finally:
        engine.stop()
    row = Row(engine_name, label, raw_rows, load_seconds, build, nodes, load_average, failure)
    progress(f"done: {row.markdown()}")
    return row


def command_line() -> str:
    """This command as run, with the environment settings that change how an engine runs (Spark's driver memory)."""
    python = Path(sys.executable)
    shown = python.relative_to(REPO_ROOT) if python.is_relative_to(REPO_ROOT) else python
    settings = [f"{name}={os.environ[name]}" for name in ("DBT_GROUNDING_SPARK_DRIVER_MEMORY", "SPARK_DRIVER_MEMORY", "PYSPARK_SUBMIT_ARGS")
                if name in os.environ]
    return shlex.join([*settings, str(shown), *sys.argv])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,1000000", help="comma-separated: demo and/or numbers of customers")
    parser.add_argument("--engines", default="duckdb,postgres,spark", help=f"comma-separated, of {', '.join(ENGINES)}")
    parser.add_argument("--keep", type=Path, help="work directory to keep (and reuse generated raw data from)")
    parser.add_argument("--threads", type=int, help="dbt threads (default: the profile's, per target)")
    parser.add_argument("--build-timeout", default="", metavar="[ENGINE=]SECONDS,...",
                        help="stop a `dbt build` running longer and report it stopped: for every engine, or per "
                             "engine (spark=2400)")
    parser.add_argument("--spark-load-raw", type=Path, help=argparse.SUPPRESS)  # the Spark loader's subprocess
    args = parser.parse_args()
    if args.spark_load_raw:
        spark_load_raw(args.spark_load_raw)
        return

    sizes = [size.strip() for size in args.sizes.split(",") if size.strip()]
    engines = [engine.strip() for engine in args.engines.split(",") if engine.strip()]
    for size in sizes:
        if size != "demo" and not size.isdigit():
            parser.error(f"--sizes: {size!r} is neither demo nor a number of customers")
    for engine in engines:
        if engine not in ENGINES:
            parser.error(f"--engines: {engine!r} is not one of {', '.join(ENGINES)}")
    timeouts: dict[str, float] = {}
    for item in filter(None, (item.strip() for item in args.build_timeout.split(","))):
        engine, _, seconds = item.rpartition("=")
        if engine and engine not in ENGINES or not seconds.replace(".", "", 1).isdigit():
            parser.error(f"--build-timeout: {item!r} is neither SECONDS nor ENGINE=SECONDS")
        timeouts.update({engine: float(seconds)} if engine else dict.fromkeys(ENGINES, float(seconds)))

    work_dir = args.keep or Path(tempfile.mkdtemp(prefix="dbt-grounding-engines-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    progress(f"work directory {work_dir}")
    # A failing dbt command ends the run; the table still shows the rows done (and the failed build, if it was one).
    rows: list[Row] = []
    failure: str | SystemExit | None = None
    try:
        for size, engine in itertools.product(sizes, engines):
            rows.append(run_one(engine, size, work_dir, args.threads, timeouts.get(engine)))
            if rows[-1].failure:
                failure = rows[-1].failure
                break
    except SystemExit as error:
        failure = error
    if not args.keep and not failure:
        shutil.rmtree(work_dir, ignore_errors=True)

    memory_gib = _field_kib(_read("/proc/meminfo"), "MemTotal:") / 1024 / 1024
    print(f"`{command_line()}`\n")
    print("| engine | size | raw rows | load s | `dbt build` s | peak MiB (RSS sum) | peak MiB (PSS sum) | nodes passed |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row.markdown())
    print(f"\n{os.cpu_count()} CPUs, {memory_gib:.1f} GiB RAM; 1-min load average as each build started: "
          + ", ".join(f"{row.engine} {row.size} {row.load_average:.2f}" for row in rows) + ".")
    if "spark" in engines:
        driver_memory = spark_conf(REPO_ROOT, os.environ).get("spark.driver.memory", "Spark's default, 1g")
        print(f"Spark driver memory (the profile's spark.driver.memory): {driver_memory}.")
    if failure:
        raise SystemExit(failure.code if isinstance(failure, SystemExit) else failure)


if __name__ == "__main__":
    main()
