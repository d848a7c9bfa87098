"""Importing the `mcp` SDK for a server start, with its pydantic models' validators built on first use.

Importing `mcp.server.mcpserver` defines ~550 pydantic models (`mcp_types`: the shared ones and both protocol
eras', 2025-11-25 and 2026-07-28, which a server needs to answer either) and builds a validator and a serializer for
each: ~1 s of CPU, most of `serve`'s start. A session uses a few dozen of them. Pydantic's `defer_build` config builds
a model's validator and serializer when it is first used instead (the same ones, built the same way: nothing is
skipped), so the models the session never sends or receives cost nothing.

`defer_build` is set through the base every model's config is merged from (`BaseModel.model_config`) only while the
SDK is imported, and put back after: models defined later are built as they always are. Models another thread
defines meanwhile (the server's warm-up importing ours) are deferred too, and may then be first used from several
threads at once: pydantic builds a deferred model under a lock (`pydantic.main._rebuild_lock`, pydantic/pydantic#13438;
the installed 2.14 has it), where before a model built from two threads at once could be validated with its parent's
validator. So on a pydantic without that lock nothing is deferred, and the SDK is imported as it always was.
"""

from __future__ import annotations


def import_sdk() -> None:
    """Import the SDK's server and types with their pydantic models deferred (see the module's docstring).

    Raises:
        ImportError: the `mcp` package is not installed (agent.mcp_server.build_server says how to install it).
    """
    from pydantic import BaseModel, main

    config = BaseModel.model_config
    before = dict(config)
    if hasattr(main, "_rebuild_lock"):  # deferred models are built under a lock (see the module's docstring)
        config["defer_build"] = True
    try:
        import mcp.server.mcpserver  # noqa: F401
        import mcp.types  # noqa: F401
    finally:
        config.clear()
        config.update(before)
