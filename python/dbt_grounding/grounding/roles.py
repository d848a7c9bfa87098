"""Caller roles: which grounding marts a caller may read, and which of their columns it is shown.

A mart's `meta.grounding.access` (public < internal < restricted) and a column's `meta.grounding.access` and
`meta.pii` kind decide what a role sees:

- a mart above the role's level does not exist for it: absent from listings, and asking for it is the same
  `AccessDeniedError` as asking for a mart that does not exist (its existence is not revealed);
- a column above the role's level, or of a PII kind the role may not see, is absent from records (not masked:
  absent) and listed as withheld. PII kinds the role may see are served masked as always (context.safety).

Roles come from `grounding_roles.yml` beside dbt_project.yml (README, "Roles"); three are built in and always there,
named after the levels: `public` (public marts, no personal data), `internal` and `restricted` (up to that level,
every PII kind). The caller names its role (API `role=`, CLI `--role`, server `--role`); else the environment's
DBT_GROUNDING_ROLE (the operator's setting, as DBT_TARGET is for dbt); else `public`, the least privileged.

The HTTP server (`serve --http`) serves each connection as the role its bearer token maps to in the file's
`tokens:` section. The file never holds a token itself (it is committed with the project): an entry is either
`env: VAR` (the server's environment holds the token) or `sha256: <hex digest of the token>` (the client alone
holds the token). A connection without a token is served as `public`; an unknown token is refused (agent.http_auth).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dbt_grounding import yaml_text
from dbt_grounding.errors import ConfigurationError
from dbt_grounding.grounding.spec import ACCESS_LEVELS  # lowest first

__all__ = [
    "DEFAULT_ROLE", "ROLE_ENV", "ROLES_FILE", "Role", "RoleToken", "Roles", "load_roles",
]

ALL_PII = "*"
DEFAULT_ROLE = "public"
ROLE_ENV = "DBT_GROUNDING_ROLE"
ROLES_FILE = "grounding_roles.yml"
_ROLE_FIELDS = {"access", "pii", "description"}
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Role:
    """A caller's role.

    Attributes:
        name: as the caller gives it.
        access: the highest access level it may read.
        pii: the PII kinds (column meta.pii) it may be shown, or ("*",) for every kind.
        description: what the role is for (for people).
    """

    name: str
    access: str
    pii: tuple[str, ...]
    description: str = ""

    def may_read(self, level: str) -> bool:
        """Whether the role may read something marked `level` (an unknown level counts as the highest)."""
        rank = ACCESS_LEVELS.index(level) if level in ACCESS_LEVELS else len(ACCESS_LEVELS) - 1
        return rank <= ACCESS_LEVELS.index(self.access)

    def may_see_pii(self, kind: str) -> bool:
        return ALL_PII in self.pii or kind.lower() in self.pii

    def withheld(self, columns: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
        """The columns (name -> the column's merged meta) this role may not be shown, each with why."""
        withheld = {}
        for name, meta in columns.items():
            block = meta.get("grounding")
            level = block.get("access") if isinstance(block, dict) else None
            kind = meta.get("pii")
            if level is not None and not self.may_read(str(level)):
                withheld[name] = f"access {level}"
            elif kind is not None and not self.may_see_pii(str(kind)):
                withheld[name] = f"personal data ({str(kind).lower()})"
        return withheld


BUILT_IN_ROLES = {
    "public": Role("public", "public", (), "public marts, no personal data (the default)"),
    "internal": Role("internal", "internal", (ALL_PII,), "public and internal marts, personal data masked"),
    "restricted": Role("restricted", "restricted", (ALL_PII,), "every mart, personal data masked"),
}


@dataclass(frozen=True)
class RoleToken:
    """Where one bearer token of a role is found (grounding_roles.yml `tokens:`): exactly one of `env` (the variable
    of the server's environment holding the token) and `sha256` (the token's hex digest)."""

    role: str
    env: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Roles:
    """The roles a project knows: the built-in ones and those of its grounding_roles.yml."""

    roles: Mapping[str, Role]
    source: str  # the file they came from, or "built-in"
    tokens: tuple[RoleToken, ...] = ()

    def token_digests(self, environ: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
        """The SHA-256 hex digest of each bearer token -> its role's name, and warnings for `env` entries whose
        variable is unset or empty (no token authenticates through them: their connections would be refused).

        Raises:
            ConfigurationError: one token given to two roles.
        """
        environ = os.environ if environ is None else environ
        digests: dict[str, str] = {}
        warnings = []
        for entry in self.tokens:
            if entry.env is not None:
                value = environ.get(entry.env, "")
                if not value:
                    warnings.append(f"{ROLES_FILE}: tokens.{entry.role}: ${entry.env} is not set, so no connection "
                                    f"is served as {entry.role} through it")
                    continue
                digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
            else:
                digest = str(entry.sha256)
            if digests.setdefault(digest, entry.role) != entry.role:
                raise ConfigurationError(
                    f"One bearer token is given to two roles in {ROLES_FILE}: {digests[digest]} and {entry.role}.",
                    hint="Give each role its own token: a connection's token decides its one role.",
                    roles=sorted({digests[digest], entry.role}))
        return digests, warnings

    def resolve(self, name: str | None = None, *, environ: Mapping[str, str] | None = None) -> Role:
        """The role called `name`; without a name the environment's DBT_GROUNDING_ROLE, else `public`.

        Raises:
            ConfigurationError: no role of that name (lists the roles there are).
        """
        environ = os.environ if environ is None else environ
        chosen = name or environ.get(ROLE_ENV) or DEFAULT_ROLE
        try:
            return self.roles[chosen]
        except KeyError:
            given = "given" if name else f"from {ROLE_ENV}"
            raise ConfigurationError(
                f"No role {chosen!r} ({given}); the roles are {', '.join(sorted(self.roles))}.",
                hint=f"Pick one of them, or define {chosen!r} in {ROLES_FILE} beside dbt_project.yml.",
                role=chosen, roles=sorted(self.roles),
            ) from None


def load_roles(project_dir: str | Path) -> Roles:
    """The built-in roles and those of `<project_dir>/grounding_roles.yml` when it exists.

    Raises:
        ConfigurationError: the file is not YAML, or a role is malformed, redefines a built-in role, names an
            unknown access level (names the role and the field).
    """
    path = Path(project_dir) / ROLES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Roles(BUILT_IN_ROLES, "built-in")
    except (OSError, UnicodeDecodeError) as error:
        raise _malformed(path, f"cannot be read ({error})") from None
    try:
        document = yaml_text.safe_load(text)
    except (yaml.YAMLError, RecursionError) as error:
        raise _malformed(path, f"is not valid YAML ({str(error).splitlines()[0]})") from None
    if document is None:
        return Roles(BUILT_IN_ROLES, ROLES_FILE)
    if (not isinstance(document, dict) or set(document) - {"roles", "tokens"}
            or not isinstance(document.get("roles", {}), dict)):
        raise _malformed(path, "must hold one mapping, `roles:`, of role names to their access and pii (and "
                               "optionally `tokens:`, the HTTP server's bearer tokens of each role)")
    roles = dict(BUILT_IN_ROLES)
    for name, fields in sorted((document.get("roles") or {}).items(), key=lambda item: str(item[0])):
        roles[str(name)] = _role(path, name, fields)
    return Roles(roles, ROLES_FILE, _tokens(path, document.get("tokens"), roles))


def _role(path: Path, name: Any, fields: Any) -> Role:
    where = f"roles.{name}"
    if not isinstance(name, str) or not name.strip():
        raise _malformed(path, f"has a role named {name!r}: role names are non-empty strings")
    if name in BUILT_IN_ROLES:
        raise _malformed(path, f"redefines the built-in role {name!r} (public, internal and restricted are built in)")
    if not isinstance(fields, dict) or set(fields) - _ROLE_FIELDS:
        raise _malformed(path, f"{where} must be a mapping of {', '.join(sorted(_ROLE_FIELDS))}")
    access = fields.get("access")
    if access not in ACCESS_LEVELS:
        raise _malformed(path, f"{where}.access must be one of {', '.join(ACCESS_LEVELS)} (the highest level the "
                               f"role may read), got {access!r}")
    pii = fields.get("pii", [])
    pii = [pii] if isinstance(pii, str) else pii
    if not isinstance(pii, list) or not all(isinstance(kind, str) and kind for kind in pii):
        raise _malformed(path, f"{where}.pii must be a list of PII kinds (email, phone, person_name, free_text, "
                               f"or '*' for all), got {fields.get('pii')!r}")
    return Role(name, access, tuple(sorted({kind.lower() for kind in pii})), str(fields.get("description") or ""))


def _tokens(path: Path, section: Any, roles: Mapping[str, Role]) -> tuple[RoleToken, ...]:
    """The `tokens:` section: role name -> a list of `{env: VAR}` or `{sha256: <hex digest>}`, never a token."""
    if section is None:
        return ()
    shape = "a mapping of role names to lists of `env: VAR` or `sha256: <hex digest of the token>` entries"
    if not isinstance(section, dict):
        raise _malformed(path, f"tokens must be {shape}")
    tokens = []
    for role, entries in sorted(section.items(), key=lambda item: str(item[0])):
        if role not in roles:
            raise _malformed(path, f"gives tokens to {role!r}, which is no role (the roles are "
                                   f"{', '.join(sorted(roles))})")
        if not isinstance(entries, list) or not entries:
            raise _malformed(path, f"tokens.{role} must be a list of `env: VAR` or `sha256: <hex digest>` entries")
        for entry in entries:
            if not isinstance(entry, dict) or len(entry) != 1 or set(entry) - {"env", "sha256"}:
                # not echoed: what is there may be a token
                raise _malformed(path, f"tokens.{role} has an entry that is neither `env: VAR` (the server's "
                                       "environment holds the token) nor `sha256: <hex digest of the token>`; the "
                                       "file never holds a token itself")
            (kind, value), = entry.items()
            if kind == "env" and not (isinstance(value, str) and _ENV_NAME.fullmatch(value)):
                raise _malformed(path, f"tokens.{role}: env must name an environment variable")
            if kind == "sha256" and not (isinstance(value, str) and _SHA256.fullmatch(value.lower())):
                raise _malformed(path, f"tokens.{role}: sha256 must be the 64 hex digits of the token's SHA-256 "
                                       "digest (`printf %s TOKEN | sha256sum`)")
            tokens.append(RoleToken(role, env=value) if kind == "env" else RoleToken(role, sha256=value.lower()))
    return tuple(tokens)


def _malformed(path: Path, problem: str) -> ConfigurationError:
    return ConfigurationError(f"{path.name} {problem}.", path=str(path),
                              hint=f"See the README's Roles section for the format of {ROLES_FILE}.")

