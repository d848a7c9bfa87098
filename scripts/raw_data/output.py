"""Output: customers' rows generated in chunks (in worker processes for large runs), numbered in customer
order and streamed to CSV; Parquet converted from the CSV with DuckDB."""

from __future__ import annotations

import csv
import random
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path

from raw_data.crm import make_customer
from raw_data.forced_cases import FORCED_CASES
from raw_data.plan import random_plan, render_plan
from raw_data.tables import TABLES, header_columns


def customer_rows(seed: int, cid: int, distinct_names: bool = False) -> dict[str, list[list[str]]]:
    """All raw rows of one customer; depends only on (seed, cid, distinct_names)."""
    rng = random.Random(f"{seed}:{cid}")
    build = FORCED_CASES.get(cid)
    plan = build(rng, cid) if build else random_plan(rng, make_customer(rng, cid, distinct_name=distinct_names))
    return render_plan(rng, plan)


class _LineSink:
    """A file-like target for csv.writer that keeps each encoded row as one string (writerow writes once)."""

    __slots__ = ("write",)

    def __init__(self, lines: list[str]):
        self.write = lines.append


def generate_chunk(task: tuple[int, int, int, bool]) -> dict[str, list[str]]:
    """CSV-encoded lines (without the leading _record_id) of customers first..last, per table."""
    seed, first, last, distinct_names = task
    lines: dict[str, list[str]] = {table: [] for table in TABLES}
    writers = {table: csv.writer(_LineSink(lines[table]), lineterminator="\n") for table in TABLES}
    for cid in range(first, last + 1):
        for table, rows in customer_rows(seed, cid, distinct_names).items():
            writers[table].writerows(rows)
    return lines


def chunk_tasks(seed: int, customers: int, chunk_size: int,
                distinct_names: bool = False) -> list[tuple[int, int, int, bool]]:
    return [(seed, first, min(first + chunk_size - 1, customers), distinct_names)
            for first in range(1, customers + 1, chunk_size)]


def generated_chunks(tasks: list[tuple[int, int, int, bool]], jobs: int) -> Iterator[dict[str, list[str]]]:
    """Chunk results in task order; at most 2 * jobs chunks in flight, so memory stays bounded."""
    if jobs <= 1 or len(tasks) <= 1:
        yield from map(generate_chunk, tasks)
        return
    import multiprocessing

    with multiprocessing.Pool(jobs) as pool:
        pending: deque = deque()
        remaining = iter(tasks)
        for task in remaining:
            pending.append(pool.apply_async(generate_chunk, (task,)))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            result = pending.popleft().get()
            next_task = next(remaining, None)
            if next_task is not None:
                pending.append(pool.apply_async(generate_chunk, (next_task,)))
            yield result


def encode_csv_line(values: Sequence[str]) -> str:
    lines: list[str] = []
    csv.writer(_LineSink(lines), lineterminator="\n").writerow(values)
    return lines[0]


def write_csv_tables(seed: int, customers: int, csv_dir: Path, jobs: int, progress: bool,
                     distinct_names: bool = False) -> dict[str, int]:
    """Streams every table to csv_dir/<table>.csv and returns the row counts."""
    chunk_size = 2_000 if customers > 20_000 else 500
    tasks = chunk_tasks(seed, customers, chunk_size, distinct_names)
    counts = dict.fromkeys(TABLES, 0)
    started = time.monotonic()
    next_report = 0.05
    with ExitStack() as stack:
        files = {
            table: stack.enter_context(open(csv_dir / f"{table}.csv", "w", encoding="utf-8", newline=""))
            for table in TABLES
        }
        for table, handle in files.items():
            handle.write(encode_csv_line(header_columns(table)))
        for done_tasks, lines_by_table in enumerate(generated_chunks(tasks, jobs), 1):
            for table, lines in lines_by_table.items():
                prefix = f"{table}-"
                numbered = enumerate(lines, counts[table] + 1)
                files[table].writelines([f"{prefix}{number:08d},{line}" for number, line in numbered])
                counts[table] += len(lines)
            fraction = done_tasks / len(tasks)
            if progress and (fraction >= next_report or done_tasks == len(tasks)):
                print(f"  generated {tasks[done_tasks - 1][2]:,}/{customers:,} customers ({fraction:.0%}) "
                      f"in {time.monotonic() - started:.0f}s", file=sys.stderr)
                next_report = fraction + 0.05
    return counts


def convert_to_parquet(csv_dir: Path, out_dir: Path, progress: bool) -> None:
    import duckdb  # only needed for Parquet

    connection = duckdb.connect()
    # One thread: a parallel Parquet writer cuts row groups by timing, which would change the bytes from run to
    # run. The memory limit keeps the conversion small; it spills to disk rather than grow.
    connection.execute("SET threads = 1")
    connection.execute("SET memory_limit = '512MB'")
    connection.execute("SET preserve_insertion_order = true")
    try:
        for table in TABLES:
            started = time.monotonic()
            columns = ", ".join(f"'{column}': 'VARCHAR'" for column in header_columns(table))
            source = (csv_dir / f"{table}.csv").as_posix().replace("'", "''")
            target = (out_dir / f"{table}.parquet").as_posix().replace("'", "''")
            connection.execute(
                f"COPY (SELECT * FROM read_csv('{source}', header = true, delim = ',', quote = '\"', "
                f"escape = '\"', auto_detect = false, columns = {{{columns}}})) "
                f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
            )
            if progress:
                print(f"  {table}.parquet written in {time.monotonic() - started:.0f}s", file=sys.stderr)
    finally:
        connection.close()
