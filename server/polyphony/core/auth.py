"""Bearer-token authorization with scopes per API: who may read, write, delete or administer what.

A caller's token grants a set of (API, scope) pairs. Scopes are `read`, `write`, `delete` and `admin`
(admin grants the other three); on the wire they are named `<api>/<scope>`, with TAMS using the names of
its reference deployment (`tams-api/read`, `tams-api/write`, `tams-api/delete`, `tams-api/admin`), so
tokens and JWTs made for it work unchanged. Tokens come from:

- `POLYPHONY_WRITE_TOKENS` (every scope of every API) and `POLYPHONY_READ_TOKENS` (read everywhere);
- tokens made with `polyphony token create` (stored as SHA-256 digests: `polyphony.core.tokens`);
- bearer JWTs signed HS256 with `POLYPHONY_JWT_KEY` (default: a key derived from the server secret,
  `core.keys.API_JWT`), scopes in the `scope` claim, `exp` required;
- tokens a service issues itself (TimeSide users), as before: read everywhere, or everything.

Reads of an API listed in `POLYPHONY_OPEN_READS` need no token. The scope each RPC needs is the
`polyphony.api.common.v1.access` option on its method (`polyphony.rpc.access`). TAMS clients may also
use HTTP basic auth (the password is the token) or an `access_token=` query parameter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import Enum

import jwt

from polyphony.core.errors import PermissionDenied, Unauthenticated


class Scope(Enum):
    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    ADMIN = "admin"


class Api(Enum):
    """The public APIs, each with its own scopes."""

    AURA = "aura"
    TAMS = "tams"
    TIMESIDE = "timeside"
    OPENTHEATER = "opentheater"


# How an API's scopes are spelled on the wire (`tams-api/read`): TAMS keeps its reference deployment's names.
SCOPE_PREFIX = {Api.AURA: "aura", Api.TAMS: "tams-api", Api.TIMESIDE: "timeside", Api.OPENTHEATER: "opentheater"}
# Names `polyphony token create --service` accepts for each API (the API's name, its prefix, its service).
API_ALIASES = {
    **{a.value: a for a in Api},
    **{p: a for a, p in SCOPE_PREFIX.items()},
    "media": Api.AURA,
    "flow": Api.TAMS,
    "analysis": Api.TIMESIDE,
    "trigger": Api.OPENTHEATER,
}


def parse_api(name: str) -> Api:
    try:
        return API_ALIASES[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown API {name!r}; one of {', '.join(a.value for a in Api)}") from None


def scope_name(api: Api, scope: Scope) -> str:
    return f"{SCOPE_PREFIX[api]}/{scope.value}"


def parse_scope_name(name: str) -> tuple[Api, Scope] | None:
    """`tams-api/write` -> (TAMS, WRITE); None for a name that is not one of ours."""
    prefix, _, scope = name.partition("/")
    api = API_ALIASES.get(prefix)
    try:
        return (api, Scope(scope)) if api is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Grant:
    """What a token may do: (API, scope) pairs; admin on an API implies its other scopes."""

    scopes: frozenset[tuple[Api, Scope]]

    @classmethod
    def of(cls, pairs: Iterable[tuple[Api, Scope]]) -> Grant:
        return cls(frozenset(pairs))

    @classmethod
    def from_names(cls, names: Iterable[str]) -> Grant:
        return cls.of(p for p in (parse_scope_name(n) for n in names) if p is not None)

    def allows(self, api: Api, scope: Scope) -> bool:
        return (api, scope) in self.scopes or (api, Scope.ADMIN) in self.scopes

    def names(self) -> list[str]:
        return sorted(scope_name(a, s) for a, s in self.scopes)


EVERYTHING = Grant.of((a, s) for a in Api for s in Scope)
READ_EVERYWHERE = Grant.of((a, Scope.READ) for a in Api)


def parse_open_reads(value: str) -> frozenset[Api]:
    """`POLYPHONY_OPEN_READS`: comma-separated APIs whose reads need no token; `all`/`true` or `none`/`false`."""
    text = value.strip().lower()
    if text in ("all", "true", "yes", "1", "on"):
        return frozenset(Api)
    if text in ("", "none", "false", "no", "0", "off"):
        return frozenset()
    return frozenset(parse_api(v) for v in text.split(",") if v.strip())


@dataclass(frozen=True)
class Credentials:
    token: str | None


def credentials_from(authorization: str | None, access_token: str | None = None) -> Credentials:
    """Extract a token from an Authorization header (Bearer or Basic) or an access_token parameter."""
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() in ("bearer", "token") and value:  # `Token` is Django REST framework's scheme
            return Credentials(value)
        if scheme.lower() == "basic" and value:
            try:
                user_pass = base64.b64decode(value, validate=True).decode()
            except ValueError:  # bad base64 (binascii.Error), non-ASCII text, or not UTF-8
                raise Unauthenticated("malformed basic credentials") from None
            return Credentials(user_pass.partition(":")[2] or None)
        raise Unauthenticated("unsupported authorization scheme; use Bearer or Basic")
    if access_token:
        return Credentials(access_token)
    return Credentials(None)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Loads the stored tokens: SHA-256 hex digest -> (grant, expiry as Unix time or None). See core/tokens.py.
TokenLoader = Callable[[], Awaitable[dict[str, tuple[Grant, float | None]]]]


class Authorizer:
    # stored tokens are reloaded at most this often (a revoked token stops working within this time)
    STORE_TTL = 2.0

    def __init__(
        self,
        read_tokens: tuple[str, ...],
        write_tokens: tuple[str, ...],
        open_reads: frozenset[Api],
        jwt_keys: tuple[str | bytes, ...] = (),
    ) -> None:
        self._read = read_tokens
        self._write = write_tokens
        self.open_reads = open_reads
        self._jwt_keys = tuple(k for k in jwt_keys if k)
        # Tokens a service issues at run time (e.g. TimeSide user tokens): SHA-256 hex -> scope.
        self._issued: dict[str, Scope] = {}
        # Self-contained tokens a service can check itself (e.g. TimeSide JWTs): token -> scope or None.
        self._verifiers: list[Callable[[str], Scope | None]] = []
        self._loader: TokenLoader | None = None
        self._stored: dict[str, tuple[Grant, float | None]] = {}
        self._loaded_at = float("-inf")

    def reads_open(self, api: Api) -> bool:
        return api in self.open_reads

    def set_token_loader(self, loader: TokenLoader) -> None:
        """Where `polyphony token create` tokens come from (the database)."""
        self._loader = loader

    async def refresh(self, *, force: bool = False) -> None:
        """Reload the stored tokens if they are older than STORE_TTL."""
        if self._loader is None or (not force and time.monotonic() - self._loaded_at < self.STORE_TTL):
            return
        self._loaded_at = time.monotonic()
        self._stored = await self._loader()

    def set_issued(self, tokens: dict[str, Scope]) -> None:
        """Replace the run-time issued tokens (keys are SHA-256 hex digests of the tokens)."""
        self._issued = dict(tokens)

    def add_verifier(self, verifier: Callable[[str], Scope | None]) -> None:
        """Also accept tokens for which `verifier` returns a scope (it returns None for others)."""
        self._verifiers.append(verifier)

    @staticmethod
    def _known(token: str, tokens: tuple[str, ...]) -> bool:
        return any(hmac.compare_digest(token.encode(), t.encode()) for t in tokens)

    def _jwt_grant(self, token: str) -> Grant | None:
        for key in self._jwt_keys:
            try:
                claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp"]})
            except jwt.InvalidTokenError:
                continue
            scope = claims.get("scope")
            if scope is None:  # a JWT for something else (e.g. a TimeSide session): not ours to judge
                return None
            names = scope.split() if isinstance(scope, str) else [s for s in scope if isinstance(s, str)]
            return Grant.from_names(names)
        return None

    def grant_for(self, token: str) -> Grant | None:
        """What `token` may do, or None when it is not a valid token."""
        if self._known(token, self._write):
            return EVERYTHING
        if self._known(token, self._read):
            return READ_EVERYWHERE
        digest = token_digest(token)
        stored = self._stored.get(digest)
        if stored is not None:
            grant, expires = stored
            return grant if expires is None or expires > time.time() else None
        if token.count(".") == 2:
            from_jwt = self._jwt_grant(token)
            if from_jwt is not None:
                return from_jwt
        issued = self._issued.get(digest) if self._issued else None
        for verify in self._verifiers if issued is None else ():
            issued = verify(token)
            if issued is not None:
                break
        if issued is None:
            return None
        return READ_EVERYWHERE if issued is Scope.READ else EVERYTHING

    def check(self, api: Api, scope: Scope, creds: Credentials) -> None:
        """Raise Unauthenticated (401) without a valid token, PermissionDenied (403) when it lacks the scope."""
        if scope is Scope.READ and api in self.open_reads:
            return
        if creds.token is None:
            raise Unauthenticated(
                f"this operation needs the {scope_name(api, scope)} scope (Authorization: Bearer <token>)"
            )
        grant = self.grant_for(creds.token)
        if grant is None:
            raise Unauthenticated("unknown or expired token")
        if not grant.allows(api, scope):
            raise PermissionDenied(f"this token lacks the {scope_name(api, scope)} scope")

    async def check_async(self, api: Api, scope: Scope, creds: Credentials) -> None:
        """`check`, with the stored tokens reloaded first when they are stale (or, for a token not known
        at all, when they are older than a quarter second: a token made a moment ago works at once)."""
        if not (scope is Scope.READ and api in self.open_reads) and creds.token is not None:
            await self.refresh()
            if self.grant_for(creds.token) is None and time.monotonic() - self._loaded_at > 0.25:
                await self.refresh(force=True)
        self.check(api, scope, creds)
