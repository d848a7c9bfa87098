"""Starting Spark for a Spark target: the SparkSession dbt-spark's `method: session` would build, after the checks
that make a failed start say why instead of failing slowly or obscurely.

The session is built exactly as dbt-spark builds it (`SparkSession.builder.enableHiveSupport()`, `.config(k, v)`
for each of the profile output's `server_side_parameters`, `getOrCreate()`), so it sees the tables dbt created:
same metastore, same warehouse directory. Two additions, both only about terminal noise: the console progress bar
is off and the log level is ERROR unless the profile says otherwise. Spark allows one SparkContext per process:
when one runs already, it is reused, provided it was built over the same metastore and warehouse.

Checks before a JVM starts:
- pyspark launches its JVM as a child process (py4j): the JVM needs Java (Spark 4: Java 17+).
- The local metastore is usually Derby, which admits ONE process at a time: a second process fails to boot it
  (after ~30 s of retries and pages of Java stack traces). Derby's lock file (`metastore_db/dbex.lck`, an fcntl
  lock Derby holds while booted) is tested first, and a WarehouseError names the cause when another process holds
  it. Once this process has started Spark on that metastore, it holds it until it exits (Spark cannot give a
  booted Derby back), so run dbt for the same target after this process ends.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dbt_grounding.errors import ConfigurationError, WarehouseError
from dbt_grounding.warehouse.base import import_driver
from dbt_grounding.warehouse.sql import short_reason

__all__ = ["LOCKED_HINT", "derby_metastore_path", "start_session"]

_METASTORE_URL = "spark.hadoop.javax.jdo.option.ConnectionURL"
_DEFAULT_METASTORE_URL = "jdbc:derby:;databaseName=metastore_db;create=true"  # Hive's default: in the cwd
# static settings that decide which tables a session sees: a running session must have been built with ours
_LOCATION_SETTINGS = (_METASTORE_URL, "spark.sql.warehouse.dir", "spark.hadoop.hive.metastore.uris")
_QUIET_DEFAULTS = {"spark.ui.showConsoleProgress": "false", "spark.log.level": "ERROR"}
_JAVA_HINT = (
    "Install Java 17 (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) and put `java` on PATH or set "
    "JAVA_HOME; pyspark starts Spark's JVM with it."
)
LOCKED_HINT = (
    "Run one Spark job at a time against this metastore: wait for the other process (a `dbt` command, or another "
    "process serving documents) to exit, then retry. A server that serves documents while dbt builds needs a "
    "metastore that admits several processes (a Hive metastore service, `spark.hadoop.hive.metastore.uris`)."
)


def start_session(parameters: Mapping[str, str], *, source: str, cwd: Path | None = None) -> Any:
    """The process's SparkSession for these settings: started (after the checks above), or the running one.

    Args:
        parameters: the profile output's `server_side_parameters`, as text.
        source: the profile output they come from, for error messages.
        cwd: where a relative Derby path lives (default: the current directory).

    Returns:
        The SparkSession.

    Raises:
        ConfigurationError: pyspark missing or too old, or a running session over another metastore/warehouse.
        WarehouseError: no Java, a Derby metastore missing or held by another process, or Spark did not start.
    """
    pyspark = import_driver("pyspark", "pyspark.sql", extra="spark", engine="Spark")
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if _version(pyspark.__version__) < (3, 4):
        raise ConfigurationError(
            f"pyspark {pyspark.__version__} cannot bind query parameters (spark.sql(..., args=...) came in 3.4); "
            "dbt-grounding never pastes key values into SQL.",
            hint="pip install 'dbt-grounding[spark]' (pyspark 3.4 or later)", pyspark=pyspark.__version__,
        )
    running = SparkContext._active_spark_context is not None
    if not running:  # a JVM is about to start: check what would make it fail slowly or obscurely
        _check_java(source)
        _check_metastore(parameters, source, cwd)
    builder = SparkSession.builder.enableHiveSupport()
    for name, value in {**_QUIET_DEFAULTS, **parameters}.items():
        builder = builder.config(name, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # pyspark raises PySparkRuntimeError, py4j errors or RuntimeError here
        raise WarehouseError(
            f"Spark did not start: {short_reason(exc)}",
            hint=f"Spark {pyspark.__version__} needs Java 17 or later. {_JAVA_HINT}",
            source=source, reason=short_reason(exc),
        ) from exc
    if running:
        _check_same_location(spark, parameters, source)
    return spark


def _check_java(source: str) -> None:
    java_home = os.environ.get("JAVA_HOME")
    java = Path(java_home) / "bin" / "java" if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise WarehouseError(
            "Spark needs Java 17, and none was found (no `java` on PATH"
            + (f", none in JAVA_HOME={java_home}" if java_home else ", JAVA_HOME unset") + ").",
            hint=_JAVA_HINT, source=source,
        )


def _check_metastore(parameters: Mapping[str, str], source: str, cwd: Path | None) -> None:
    path = derby_metastore_path(parameters, cwd=cwd)
    if path is None:
        return  # a metastore service, or another database: no single-process lock to test
    if not (path / "service.properties").is_file():
        raise WarehouseError(
            f"The Spark metastore {path} does not exist: dbt has not built this target yet, or the profile "
            "points elsewhere.",
            hint=f"Run `dbt build` for this target first, or check {_METASTORE_URL} in the profile (this "
                 "package's profile places it under DBT_GROUNDING_SPARK_DIR).",
            metastore=str(path), source=source,
        )
    if _held_by_another_process(path):
        raise WarehouseError(
            f"The Spark metastore {path} is locked by another process: Derby, the local metastore, admits "
            "one process at a time.",
            hint=LOCKED_HINT, metastore=str(path), source=source,
        )


def _check_same_location(spark: Any, parameters: Mapping[str, str], source: str) -> None:
    """getOrCreate returns the process's running session even when it was built with other static settings."""
    running = spark.sparkContext.getConf()
    for name in _LOCATION_SETTINGS:
        wanted, actual = parameters.get(name), running.get(name, None)
        if wanted is not None and actual is not None and _location(actual) != _location(wanted):
            raise ConfigurationError(
                f"This process already runs a Spark session with {name}={running.get(name)!r}, not the "
                f"target's {wanted!r}; Spark allows one session setup per process.",
                hint="Read this target from a process of its own.", setting=name, source=source,
            )


def derby_metastore_path(parameters: Mapping[str, str], *, cwd: Path | None = None) -> Path | None:
    """The directory of the embedded Derby metastore the session settings select, None for any other metastore.

    Args:
        parameters: the session's settings.
        cwd: where a relative path is resolved when derby.system.home is not set (default: the current directory).

    Returns:
        The Derby database directory (holding service.properties and the lock files), or None.
    """
    if parameters.get("spark.hadoop.hive.metastore.uris"):
        return None  # a metastore service: it serves many processes
    url = parameters.get(_METASTORE_URL, _DEFAULT_METASTORE_URL)
    if not url.startswith("jdbc:derby:"):
        return None
    head, *attributes = url[len("jdbc:derby:"):].split(";")
    name = head or next(
        (value for key, _, value in (a.partition("=") for a in attributes) if key.strip().lower() == "databasename"),
        "",
    )
    if not name or name.startswith(("memory:", "classpath:", "jar:")):
        return None
    name = name.removeprefix("directory:")
    path = Path(name)
    if not path.is_absolute():  # Derby resolves it against derby.system.home, else the JVM's directory
        home = _java_option(parameters.get("spark.driver.extraJavaOptions", ""), "derby.system.home")
        path = Path(home or (cwd or Path.cwd())) / path
    return path


def _location(value: str) -> str:
    """A setting naming a place, compared as Spark uses it: it qualifies a warehouse path (`file:/...`)."""
    value = value.strip()
    if value.startswith("file:"):
        value = "/" + value[len("file:"):].lstrip("/")
    return value.rstrip("/") or value


def _java_option(options: str, name: str) -> str | None:
    for option in options.split():
        key, _, value = option.partition("=")
        if key == f"-D{name}":
            return value
    return None


def _held_by_another_process(path: Path) -> bool:
    """Whether a Derby engine in another process has booted the database: it holds an exclusive fcntl lock on
    dbex.lck while booted (a stale file left by a killed process holds no lock). The test itself takes the lock
    for an instant and gives it back."""
    try:
        import fcntl
    except ImportError:  # not POSIX: cannot tell; Spark's own error is mapped if it fails
        return False
    try:
        descriptor = os.open(path / "dbex.lck", os.O_RDWR)
    except OSError:
        return False  # never booted since created, or not ours to test
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EAGAIN, errno.EACCES)
    else:
        fcntl.lockf(descriptor, fcntl.LOCK_UN)
        return False
    finally:
        os.close(descriptor)


def _version(text: str) -> tuple[int, ...]:
    numbers = []
    for part in text.split(".")[:2]:
        digits = "".join(char for char in part if char.isdigit())
        numbers.append(int(digits) if digits else 0)
    return tuple(numbers)
