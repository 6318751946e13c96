"""Bearer-token authorization: who may read and who may write.

Tokens come from settings (`POLYPHONY_READ_TOKENS`, `POLYPHONY_WRITE_TOKENS`); a write token also reads.
Reads are open unless `POLYPHONY_OPEN_READS=false`. TAMS clients may also use HTTP basic auth (the
password is the token) or an `access_token=` query parameter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from polyphony.core.errors import PermissionDenied, Unauthenticated


class Scope(Enum):
    READ = "read"
    WRITE = "write"


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


class Authorizer:
    def __init__(self, read_tokens: tuple[str, ...], write_tokens: tuple[str, ...], open_reads: bool) -> None:
        self._read = read_tokens
        self._write = write_tokens
        self.open_reads = open_reads
        # Tokens a service issues at run time (e.g. TimeSide user tokens): SHA-256 hex -> scope.
        self._issued: dict[str, Scope] = {}
        # Self-contained tokens a service can check itself (e.g. TimeSide JWTs): token -> scope or None.
        self._verifiers: list[Callable[[str], Scope | None]] = []

    def set_issued(self, tokens: dict[str, Scope]) -> None:
        """Replace the run-time issued tokens (keys are SHA-256 hex digests of the tokens)."""
        self._issued = dict(tokens)

    def add_verifier(self, verifier: Callable[[str], Scope | None]) -> None:
        """Also accept tokens for which `verifier` returns a scope (it returns None for others)."""
        self._verifiers.append(verifier)

    def _issued_scope(self, token: str) -> Scope | None:
        scope = self._issued.get(hashlib.sha256(token.encode()).hexdigest()) if self._issued else None
        for verify in self._verifiers if scope is None else ():
            scope = verify(token)
            if scope is not None:
                break
        return scope

    @staticmethod
    def _known(token: str, tokens: tuple[str, ...]) -> bool:
        return any(hmac.compare_digest(token.encode(), t.encode()) for t in tokens)

    def check(self, scope: Scope, creds: Credentials) -> None:
        if scope is Scope.READ and self.open_reads:
            return
        if creds.token is None:
            raise Unauthenticated(f"this operation needs a {scope.value} token (Authorization: Bearer <token>)")
        if self._known(creds.token, self._write):
            return
        issued = self._issued_scope(creds.token)
        if issued is Scope.WRITE or (scope is Scope.READ and issued is Scope.READ):
            return
        if scope is Scope.READ and self._known(creds.token, self._read):
            return
        if self._known(creds.token, self._read) or issued is Scope.READ:
            raise PermissionDenied("this token may only read")
        raise Unauthenticated("unknown token")
