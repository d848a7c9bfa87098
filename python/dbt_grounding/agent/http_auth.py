"""Who an HTTP connection is: its bearer token (`Authorization: Bearer <token>`) mapped to a role by the project's
grounding_roles.yml `tokens:` section (grounding.roles), with the `mcp` SDK's own authentication pieces.

- a known token: the connection is served as its role. The SDK binds a session to the credential that opened it
  (streamable_http_manager: another token on that session is answered "Session not found"), so a role is per
  connection, and a stolen session id is worth nothing without its token;
- no Authorization header: served as `public`, the least privileged role (an agent that was given no token gets no
  more than anyone could read);
- any other Authorization header (an unknown or mistyped token, another scheme): refused with 401 `invalid_token`.
  Serving it as `public` would hide a misconfigured agent behind answers it did not expect ("no such mart"); never
  does it get more than its token's role, nor the server's role.

Tokens are compared by their SHA-256 digests (a dictionary lookup on a digest the caller cannot steer), so the
server holds no token but those its environment already has.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser, BearerAuthBackend
from mcp.server.auth.provider import AccessToken
from starlette.authentication import AuthenticationError
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp

from dbt_grounding.grounding.roles import DEFAULT_ROLE

ANONYMOUS_ROLE = DEFAULT_ROLE  # public: the least privileged role, built in and never redefined
ROLE_CLAIM = "dbt_grounding_role"


class RoleTokenVerifier:
    """The SDK's TokenVerifier: a token whose digest grounding_roles.yml knows is an access token of its role."""

    def __init__(self, digests: Mapping[str, str]) -> None:
        """digests: the SHA-256 hex digest of each token -> its role's name (Roles.token_digests)."""
        self._digests = dict(digests)

    async def verify_token(self, token: str) -> AccessToken | None:
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        role = self._digests.get(digest)
        if role is None:
            return None
        # the principal the SDK binds a session to: the role and which of its tokens (a digest prefix, not the token)
        return AccessToken(token="", client_id=f"role:{role}", subject=digest[:16], scopes=[role],
                           claims={ROLE_CLAIM: role})


class _TokenOrAnonymous(BearerAuthBackend):
    """The SDK's bearer backend, except that credentials it does not accept are refused instead of being served
    as if none had been given."""

    async def authenticate(self, conn: HTTPConnection):
        if "authorization" not in conn.headers:
            return None  # anonymous: the least privileged role
        authenticated = await super().authenticate(conn)
        if authenticated is None:
            raise AuthenticationError("unknown bearer token")
        return authenticated


def _refuse(conn: HTTPConnection, error: Exception) -> JSONResponse:
    description = "Unknown bearer token: see the tokens of grounding_roles.yml, or send no token to be served as public"
    challenge = f'Bearer error="invalid_token", error_description="{description}"'
    return JSONResponse({"error": "invalid_token", "error_description": description}, status_code=401,
                        headers={"WWW-Authenticate": challenge})


def with_roles(app: ASGIApp, digests: Mapping[str, str]) -> ASGIApp:
    """`app` (the server's streamable HTTP app) behind bearer authentication: each request's scope["user"] is the
    SDK's AuthenticatedUser of its token's role, or unauthenticated without a token; unknown tokens get 401."""
    return AuthenticationMiddleware(app, backend=_TokenOrAnonymous(RoleTokenVerifier(digests)), on_error=_refuse)


def connection_role(request: HTTPConnection | None, default: str) -> str:
    """The role to serve one request as: its token's role over HTTP, `public` without a token; `default` (the
    server's role) when there is no HTTP request (stdio: one process, one connection)."""
    if request is None:
        return default
    user = request.scope.get("user")
    if isinstance(user, AuthenticatedUser):
        return str((user.access_token.claims or {})[ROLE_CLAIM])
    return ANONYMOUS_ROLE
