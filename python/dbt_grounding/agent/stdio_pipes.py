"""The MCP stdio transport served by the event loop itself, without a worker thread per line.

The SDK's stdio transport reads every line, and writes and flushes every answer, through anyio's worker threads
(`anyio.wrap_file`): three thread hand-offs per tool call, each a wake-up and a hand-over of the GIL, which cost the
server CPU and latency on every call (benchmarks/mcp_roundtrip.py prints the server's CPU per call). When stdin and
stdout are pipes or sockets, as when an MCP client spawns the server, the event loop reads and writes them directly
(asyncio's pipe transports); a terminal or a file keeps the SDK's own transport. The messages are still parsed and
serialized by the SDK (its `stdio_server`, given these streams): only the reading and writing change.

As the SDK's transport does, the protocol gets private duplicates of fd 0 and 1, and fd 0 is pointed at /dev/null
and fd 1 at stderr while serving, so that a stray print or a child process can neither corrupt nor steal the
protocol; both are restored at the end.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LINE_LIMIT = 1 << 30  # a message is one line; the SDK's own transport has no limit either


def pipes_usable() -> bool:
    """Whether stdin and stdout are pipes or sockets (what asyncio's pipe transports serve; POSIX only)."""
    if sys.platform == "win32":
        return False
    for fd in (0, 1):
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            return False
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            return False
    return True


async def serve_pipes(server: Any) -> None:
    """Serve `server` (an MCPServer) on stdin/stdout until the client closes stdin."""
    from mcp.server.stdio import stdio_server

    lowlevel = server._lowlevel_server  # what MCPServer.run_stdio_async runs on the SDK's own streams
    loop = asyncio.get_running_loop()
    with _claimed(0, os.devnull) as stdin_fd, _claimed(1, None) as stdout_fd:
        reader = asyncio.StreamReader(limit=LINE_LIMIT)
        read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(stdin_fd, "rb", buffering=0, closefd=False))
        write_transport, write_protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, os.fdopen(stdout_fd, "wb", buffering=0, closefd=False))
        writer = asyncio.StreamWriter(write_transport, write_protocol, None, loop)
        try:
            async with stdio_server(stdin=_Lines(reader), stdout=_Writer(writer)) as (read_stream, write_stream):
                await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
        finally:
            read_transport.close()
            write_transport.close()
            for fd in (stdin_fd, stdout_fd):  # the descriptions go back to fd 0 and 1: blocking, as they came
                os.set_blocking(fd, True)


class _Lines:
    """stdin as the SDK's transport iterates it: `async for line in stdin`."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> _Lines:
        return self

    async def __anext__(self) -> str:
        try:
            line = await self._reader.readline()
        except ValueError:  # longer than LINE_LIMIT: dropped, and answered as a message that cannot be parsed
            return "\n"
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class _Writer:
    """stdout as the SDK's transport writes it: `await stdout.write(text)`, `await stdout.flush()`."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        self._writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._writer.drain()  # waits only when the client reads slower than we write


@contextmanager
def _claimed(fd: int, diversion: str | None) -> Iterator[int]:
    """A private duplicate of `fd` for the protocol, with `fd` itself pointed at `diversion` (a path; None: stderr)
    until the end."""
    import fcntl  # POSIX: pipes_usable() said so

    if fd == 1:
        sys.stdout.flush()
    private = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
    target = os.open(diversion, os.O_RDONLY) if diversion is not None else os.dup(2)
    try:
        os.dup2(target, fd)
    finally:
        os.close(target)
    try:
        yield private
    finally:
        if fd == 1:
            sys.stdout.flush()
        os.dup2(private, fd)
        os.close(private)
