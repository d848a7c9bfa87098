"""Serving documents: the one entry point the CLI, the Python API and the agent server call.

For one request (a mart and its keys): check each key against the mart's candidate keys, check the schema of the
mart and of every relation upstream of it, refuse a mart whose build or tests failed or whose build is unknown,
fetch each key's rows, judge freshness from the served row's as-of value and refuse stale data, and build each
document. Anything refused is a typed error carrying the artifact gaps (a missing run_results.json) as notes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from dbt_grounding.errors import AccessDeniedError, GroundingError, InvalidKeyError
from dbt_grounding.grounding.drift import relation_of
from dbt_grounding.grounding.freshness import FreshnessResult, model_freshness
from dbt_grounding.grounding.keys import coerce_key
from dbt_grounding.grounding.roles import BUILT_IN_ROLES, Role
from dbt_grounding.grounding.spec import grounding_spec
from dbt_grounding.grounding.test_status import TestOutcome, test_outcomes
from dbt_grounding.serving.access import Access
from dbt_grounding.serving.inputs import MartInputs, as_of_value, model_input, served_columns, test_statuses
from dbt_grounding.serving.known_names import read_known_names
from dbt_grounding.serving.policy import ServingPolicy, refuse_stale, refuse_untrusted_build
from dbt_grounding.serving.schema_check import SchemaChecker
from dbt_grounding.telemetry.timing import phase

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Artifacts, Node, Source
    from dbt_grounding.context import ContextDocument, DocumentForm, TestStatus, TokenCounter
    from dbt_grounding.context.known_names import KnownNames
    from dbt_grounding.grounding.drift import RelationCheck
    from dbt_grounding.grounding.expected_schema import ExpectedSchemas
    from dbt_grounding.grounding.spec import GroundingSpec
    from dbt_grounding.lineage.project_lineage import ProjectLineage
    from dbt_grounding.warehouse import Warehouse

MAX_KEYS = 100  # keys in one request: an agent asking for more wants a query, not documents


@dataclass(frozen=True)
class ContextRequest:
    """Documents for some keys of one mart.

    Attributes:
        model: model name, package.name, source_name.table_name or unique_id.
        keys: one key (key column -> value, naming exactly one of the mart's candidate keys) per document.
        policy: refusals and limits (ServingPolicy).
        max_tokens: budget per document; lower-priority sections are trimmed first and listed as omitted.
        token_counter: counts tokens for the budget (default: context.default_token_counter).
        form: the form the budget is counted in and the document is meant for (markdown, json, compact).
        include_passing_tests: list passing tests by name (they are counted either way).
        role: the caller's role (grounding.roles): marts above its level do not exist for it, columns it may not
            see are left out of records and listed as withheld.
        marts_only: serve grounding marts only (serving.access), as the agent server does.
        invalid_keys: "raise" (default): a key that is not valid refuses the request; "answer": its InvalidKeyError
            takes its document's place in the answer and the other keys are served (the get_contexts tool).
    """

    model: str
    keys: Sequence[Mapping[str, Any]]
    policy: ServingPolicy = field(default_factory=ServingPolicy)
    max_tokens: int | None = None
    token_counter: TokenCounter | None = None
    form: DocumentForm = "markdown"
    include_passing_tests: bool = False
    role: Role = BUILT_IN_ROLES["restricted"]
    marts_only: bool = False
    invalid_keys: Literal["raise", "answer"] = "raise"


class Serving:
    """Documents of one build's artifacts and its warehouse. Per-mart answers that cannot change while the
    artifacts are open (test outcomes, known names, matched schemas while the warehouse vouches for them) are
    computed once per process."""

    def __init__(self, artifacts: Artifacts, lineage: ProjectLineage, warehouse: Callable[[], Warehouse], *,
                 schemas: ExpectedSchemas, clock: Callable[[], datetime], check_upstream: bool = True,
                 notes: Sequence[str] = ()) -> None:
        """
        Args:
            warehouse: returns the warehouse, opened on first use (reading the profile may raise).
            clock: returns the current UTC time (freshness is judged against it).
            check_upstream: check every relation upstream of a mart before serving it; False for a published build,
                whose store holds the marts only and whose upstream the gate checked before publishing it.
            notes: said in every document (where the data is served from, when that matters).
        """
        self.check_upstream = check_upstream
        self.notes = list(notes)
        self.artifacts = artifacts
        self.manifest = artifacts.manifest
        self.lineage = lineage
        self.warehouse = warehouse
        self.clock = clock
        self.schemas = SchemaChecker(schemas, lineage)
        self._tests: dict[str, list[TestOutcome]] = {}
        self._blocking_tests: dict[str, list[TestOutcome]] = {}
        self._test_statuses: dict[str, list[TestStatus]] = {}
        self._specs: dict[str, GroundingSpec] = {}
        self._access: dict[tuple[Role, bool], Access] = {}
        self._known_names: KnownNames | None = None

    def contexts(self, request: ContextRequest) -> list[ContextDocument]:
        """One checked document per key of `request.keys`, in order; all or nothing: the first refusal raises.

        Raises:
            UnknownNodeError, InvalidKeyError, SchemaDriftError, MissingRelationError, StaleGroundingError,
            FailedTestsError, UnknownBuildError, WarehouseError, ConfigurationError, TokenBudgetError; each with a
            note when run_results.json is missing.
        """
        try:
            return self._contexts(request)
        except GroundingError as error:
            for gap in self.artifact_gaps():
                error.with_note(gap)
            raise

    def _contexts(self, request: ContextRequest) -> list[ContextDocument]:
        from dbt_grounding.context import build_document

        access = self.access(request.role, request.marts_only)
        node = access.find(request.model)
        spec = self.spec(node)
        _check_key_count(node, request.keys)
        withheld = access.withheld(node)
        why = {name.lower(): reason for name, reason in withheld.items()}
        for key in request.keys:  # a lookup by a withheld column would confirm its values
            if not isinstance(key, Mapping):
                continue  # not a key at all: coerce_key says so below
            hidden = sorted(column for column in key if isinstance(column, str) and column.lower() in why)
            if hidden:
                raise AccessDeniedError(
                    f"Role {request.role.name!r} may not look {node.name} up by {', '.join(hidden)}: "
                    f"{why[hidden[0].lower()]}.",
                    hint="look it up by another of its keys (`dbt-grounding models` lists them)",
                    name=node.name, role=request.role.name, columns=hidden,
                )
        self.lineage.traced_paths(node.unique_id)  # remembered while it traces, so a later drift is explained
        policy, warehouse, relation = request.policy, self.warehouse(), relation_of(node)
        with warehouse.session():
            checked: list[RelationCheck] = []

            def relation_types() -> dict[str, str]:  # typing key values: the checked relation's columns, no query
                if not checked:
                    checked.append(self._checked(warehouse, node, policy))
                return dict(checked[0].state.columns or [])

            keys: list[dict[str, Any] | InvalidKeyError] = []
            for key in request.keys:
                try:
                    keys.append(coerce_key(spec, node, key, column_types=relation_types))
                except InvalidKeyError as error:
                    if request.invalid_keys == "raise":
                        raise
                    keys.append(error)
            served = checked[0] if checked else self._checked(warehouse, node, policy)
            build, blocking = self.artifacts.builds.node(node.unique_id), self.blocking_tests(node.unique_id)
            refuse_untrusted_build(node, build, blocking, self.artifacts, policy, self.lineage.short_name)
            columns = [column for column in served_columns(node, served) if column.name not in withheld]
            selected = [column.name for column in columns] or [name for name in node.columns if name not in withheld]
            fetched = _fetch(warehouse, relation, keys, selected, policy.row_limit, request.invalid_keys)
            newest: list[Any] = []  # the as-of fallback for keys that matched nothing: one scan per request

            def relation_newest() -> Any:
                if not newest:
                    newest.append(warehouse.max_value(relation, spec.as_of_column))
                return newest[0]

            as_of = [None if isinstance(rows, InvalidKeyError) else as_of_value(spec, rows, relation_newest)
                     for rows in fetched]
            mart = MartInputs(
                model=model_input(node, spec, self.lineage.short_name(node.unique_id)), columns=columns,
                tests=self.test_statuses(node.unique_id),
                sources=[uid for uid in self.lineage.upstream(node.unique_id) if uid.startswith("source.")],
                invocation_id=self.manifest.metadata.invocation_id,
                manifest_generated_at=self.manifest.metadata.generated_at,
                warnings=self.artifact_gaps() + self.notes
                + ([f"the last build of {node.name} is unknown: {build.unknown}"] if build.unknown else [])
                + [note for note in [access.withheld_note(node)] if note],
                never_built=list(served.expected.never_built), known_names=self.known_names(),
            )
        documents: list[ContextDocument | InvalidKeyError] = []
        for key, rows, value in zip(keys, fetched, as_of):
            if isinstance(key, InvalidKeyError) or isinstance(rows, InvalidKeyError):
                documents.append(key if isinstance(key, InvalidKeyError) else rows)
                continue
            freshness = self.freshness(node, as_of_value=value)
            refuse_stale(node, freshness, policy)
            with phase("render"):  # a served request's render time (telemetry)
                documents.append(build_document(mart.document(key, rows, policy.row_limit, freshness, value),
                                                max_tokens=request.max_tokens, token_counter=request.token_counter,
                                                form=request.form,
                                                include_passing_tests=request.include_passing_tests))
        return documents

    def _checked(self, warehouse: Warehouse, node: Node | Source, policy: ServingPolicy) -> RelationCheck:
        if policy.schema_check:
            return self.schemas.check(warehouse, node, upstream=self.check_upstream)
        return self.schemas.unchecked(warehouse, node)

    def tests(self, unique_id: str) -> list[TestOutcome]:
        """The data tests on the node and upstream of it, with their outcome in the last build."""
        if unique_id not in self._tests:
            self._tests[unique_id] = test_outcomes(self.manifest, self.artifacts.builds, unique_id,
                                                   self.lineage.upstream(unique_id))
        return self._tests[unique_id]

    def blocking_tests(self, unique_id: str) -> list[TestOutcome]:
        """The tests of `tests(unique_id)` that block serving (failed, errored), kept with them: the ~150 a mart has
        were filtered again for every document."""
        if unique_id not in self._blocking_tests:
            self._blocking_tests[unique_id] = [test for test in self.tests(unique_id) if test.blocking]
        return self._blocking_tests[unique_id]

    def test_statuses(self, unique_id: str) -> list[TestStatus]:
        """`tests(unique_id)` as the document lists them (frozen: shared by every document of the mart)."""
        if unique_id not in self._test_statuses:
            self._test_statuses[unique_id] = test_statuses(self.tests(unique_id))
        return list(self._test_statuses[unique_id])

    def access(self, role: Role, marts_only: bool) -> Access:
        """What `role` may be served (serving.access), one per role and process: it remembers its answers per node."""
        if (role, marts_only) not in self._access:
            self._access[role, marts_only] = Access(self.manifest, role, marts_only=marts_only)
        return self._access[role, marts_only]

    def spec(self, node: Node | Source) -> GroundingSpec:
        """The node's grounding spec (grounding.spec), read from the manifest once per node."""
        if node.unique_id not in self._specs:
            self._specs[node.unique_id] = grounding_spec(self.manifest, node)
        return self._specs[node.unique_id]

    def freshness(self, node: Node | Source, *, as_of_value: Any = None) -> FreshnessResult:
        return model_freshness(self.manifest, self.artifacts.builds, node, now=self.clock(), as_of_value=as_of_value,
                               spec=self.spec(node))

    def known_names(self) -> KnownNames:
        """The person names the warehouse knows (serving.known_names), read once per open project."""
        if self._known_names is None:
            self._known_names = read_known_names(self.manifest, self.warehouse(), self.lineage.short_name)
        return self._known_names

    def artifact_gaps(self) -> list[str]:
        """Facts about missing artifacts that every error and document must state."""
        if self.artifacts.run_results is None:
            return [next(note.message for note in self.artifacts.notes if note.artifact == "run_results.json")]
        return []


def _fetch(warehouse: Warehouse, relation: tuple, keys: list[dict[str, Any] | InvalidKeyError], columns: list[str],
           limit: int, invalid_keys: str) -> list[list[dict] | InvalidKeyError]:
    """Each key's rows, in order: one query per set of key columns (keys by one candidate key: one query). A key
    already refused stays its error; with invalid_keys="answer", a value the warehouse refuses (InvalidKeyError) is
    found by asking for each key of its query alone, and becomes that key's answer."""
    fetched: list[list[dict] | InvalidKeyError] = list(keys)  # errors stay in place
    groups: dict[tuple[str, ...], list[int]] = {}
    for position, key in enumerate(keys):
        if not isinstance(key, InvalidKeyError):
            groups.setdefault(tuple(key), []).append(position)
    for positions in groups.values():
        try:
            found = warehouse.fetch_rows_of_keys(relation, [keys[p] for p in positions], columns, limit)
        except InvalidKeyError:
            if invalid_keys == "raise" or len(positions) == 1:
                raise
            found = []
            for position in positions:
                try:
                    found.append(warehouse.fetch_rows(relation, keys[position], columns, limit))
                except InvalidKeyError as error:
                    found.append(error)
        for position, rows in zip(positions, found):
            fetched[position] = rows
    return fetched


def _check_key_count(node: Node | Source, keys: Sequence[Mapping[str, Any]]) -> None:
    if isinstance(keys, (Mapping, str, bytes)) or not isinstance(keys, Sequence):
        raise InvalidKeyError(f"the keys of a {node.name} request are a list of keys, got a {type(keys).__name__}",
                              hint="pass keys=[{'customer_id': 42}, ...]", model=node.name, given=None)
    if not 1 <= len(keys) <= MAX_KEYS:
        raise InvalidKeyError(f"a request for {node.name} names 1 to {MAX_KEYS} keys, got {len(keys)}",
                              hint=f"ask for at most {MAX_KEYS} keys at a time", model=node.name, given=len(keys))
