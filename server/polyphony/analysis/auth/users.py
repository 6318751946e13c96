"""TimeSide users mapped onto Polyphony's bearer tokens.

A user has a username, names, a password (scrypt) and one API token. The token is
HMAC-SHA256(server secret, user uuid + salt), so it is never stored in clear: the database keeps its
SHA-256 (to recognize it) and the salt (to hand the same token out again, as DRF's token endpoint
does). Tokens of users who may write are accepted for writes, the others for reads; deleting a
user revokes their token. Server-configured tokens keep working and belong to no user.

Users also get JWT access/refresh pairs (djangorestframework-simplejwt's endpoints): HS256 tokens
signed with a key derived from the server secret, carrying the user's uuid. An access token grants
the user's scope while it is unexpired and the user exists; a refresh token only buys new access
tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from polyphony.analysis.auth import jwt_hs256
from polyphony.analysis.items.service import now
from polyphony.analysis.models import AnnotationTrack, Experience, Item, Selection, Task, User
from polyphony.core.auth import Scope
from polyphony.core.db import Database
from polyphony.core.errors import Conflict, InvalidArgument, NotFound, Unauthenticated
from polyphony.core.keys import TIMESIDE_JWT, derive, user_token_purpose

NOT_FOUND = "No User matches the given query."
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
_SCRYPT = {"n": 1 << 14, "r": 8, "p": 1}
ACCESS_LIFETIME = 5 * 60  # seconds (simplejwt's defaults)
REFRESH_LIFETIME = 24 * 3600
BAD_CREDENTIALS = "No active account found with the given credentials"
BAD_TOKEN = "Token is invalid or expired"


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, salt, _ = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


def _text(raw: Mapping[str, object], name: str, *, required: bool = False, max_length: int = 150) -> str:
    value = raw.get(name, "")
    if value is None or (required and value == ""):
        raise InvalidArgument("This field is required." if value == "" else "This field may not be null.", field=name)
    if not isinstance(value, str):
        raise InvalidArgument("Not a valid string.", field=name)
    if len(value) > max_length:
        raise InvalidArgument(f"Ensure this field has no more than {max_length} characters.", field=name)
    return value


class UserService:
    def __init__(self, db: Database, secret: str) -> None:
        self.db = db
        self.secret = secret
        self.jwt_key = derive(secret, TIMESIDE_JWT)
        self.scopes: dict[str, Scope] = {}  # user uuid -> scope, refreshed with `issued_tokens`

    def token_of(self, user: User) -> str:
        mac = derive(self.secret, user_token_purpose(user.uuid, user.token_salt))
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    async def create(self, raw: Mapping[str, object]) -> User:
        username = _text(raw, "username", required=True)
        if not _USERNAME.match(username):
            raise InvalidArgument(
                "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
                field="username",
            )
        password = _text(raw, "password", required=True, max_length=4096)
        first, last = _text(raw, "first_name"), _text(raw, "last_name")
        can_write = raw.get("can_write", True)
        if not isinstance(can_write, bool):
            raise InvalidArgument("Must be a valid boolean.", field="can_write")
        user = User(
            uuid=str(uuid.uuid4()),
            username=username,
            first_name=first,
            last_name=last,
            password_hash=hash_password(password),
            token_salt=secrets.token_hex(16),
            can_write=can_write,
            date_added=now(),
        )
        user.token_sha256 = hashlib.sha256(self.token_of(user).encode()).hexdigest()
        async with self.db.transaction() as session:
            if await session.scalar(select(User.uuid).where(User.username == username)) is not None:
                raise Conflict("A user with that username already exists.", field="username")
            session.add(user)
        return user

    async def list(self) -> list[User]:
        async with self.db.session() as session:
            return list((await session.scalars(select(User).order_by(User.username))).all())

    async def get(self, username: str, caller_token: str | None = None) -> User:
        async with self.db.session() as session:
            if username == "me" and caller_token and self._claims(caller_token, "access", raise_=False):
                user_id = str(self._claims(caller_token, "access")["user_id"])
                user = await session.get(User, user_id)
            elif username == "me":
                digest = hashlib.sha256(caller_token.encode()).hexdigest() if caller_token else ""
                user = await session.scalar(select(User).where(User.token_sha256 == digest))
            else:
                user = await session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(NOT_FOUND)
        return user

    async def delete(self, username: str) -> None:
        """Delete a user: their tokens stop working, and what they created keeps no author."""
        async with self.db.transaction() as session:
            user = await session.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound(NOT_FOUND)
            await session.delete(user)
            for model in (Item, Selection, Experience, Task, AnnotationTrack):
                await session.execute(update(model).where(model.author == username).values(author=None))

    async def author_of(self, token: str | None) -> str | None:
        """The username of the user a token (API token or access JWT) belongs to; None for other tokens."""
        if not token:
            return None
        async with self.db.session() as session:
            claims = self._claims(token, "access", raise_=False)
            if claims:
                user = await session.get(User, str(claims["user_id"]))
            else:
                digest = hashlib.sha256(token.encode()).hexdigest()
                user = await session.scalar(select(User).where(User.token_sha256 == digest))
        return user.username if user is not None else None

    async def _authenticate(self, raw: Mapping[str, object]) -> User | None:
        username = _text(raw, "username", required=True)
        password = _text(raw, "password", required=True, max_length=4096)
        async with self.db.session() as session:
            user = await session.scalar(select(User).where(User.username == username))
        return user if user is not None and check_password(password, user.password_hash) else None

    async def obtain_token(self, raw: Mapping[str, object]) -> str:
        user = await self._authenticate(raw)
        if user is None:
            raise InvalidArgument("Unable to log in with provided credentials.", field="non_field_errors")
        return self.token_of(user)

    # JWT --------------------------------------------------------------------------------------
    def _jwt(self, user_uuid: str, kind: str, lifetime: int) -> str:
        issued = int(time.time())
        return jwt_hs256.encode(
            {
                "token_type": kind,
                "iat": issued,
                "exp": issued + lifetime,
                "jti": secrets.token_hex(16),
                "user_id": user_uuid,
            },
            self.jwt_key,
        )

    def _claims(self, token: str, kind: str | None, *, raise_: bool = True) -> dict[str, Any]:
        """The claims of a valid token of type `kind` (any if None); Unauthenticated (or {}) otherwise."""
        try:
            claims = jwt_hs256.decode(token, self.jwt_key)
        except jwt_hs256.InvalidToken:
            claims = {}
        if claims and (kind is None or claims.get("token_type") == kind) and isinstance(claims.get("user_id"), str):
            return claims
        if raise_:
            raise Unauthenticated(BAD_TOKEN)
        return {}

    async def obtain_jwt_pair(self, raw: Mapping[str, object]) -> tuple[str, str]:
        """(refresh, access) for a username and password."""
        user = await self._authenticate(raw)
        if user is None:
            raise Unauthenticated(BAD_CREDENTIALS)
        return self._jwt(user.uuid, "refresh", REFRESH_LIFETIME), self._jwt(user.uuid, "access", ACCESS_LIFETIME)

    async def refresh_jwt(self, raw: Mapping[str, object]) -> str:
        """A new access token for a valid refresh token of a user who still exists."""
        claims = self._claims(_text(raw, "refresh", required=True, max_length=8192), "refresh")
        async with self.db.session() as session:
            user = await session.get(User, str(claims["user_id"]))
        if user is None:
            raise Unauthenticated(BAD_TOKEN)
        return self._jwt(user.uuid, "access", ACCESS_LIFETIME)

    def verify_jwt(self, raw: Mapping[str, object]) -> None:
        self._claims(_text(raw, "token", required=True, max_length=8192), None)

    def access_scope(self, token: str) -> Scope | None:
        """The scope an access JWT grants (its user's), None if it is not one (for the server's Authorizer)."""
        if token.count(".") != 2:
            return None
        claims = self._claims(token, "access", raise_=False)
        return self.scopes.get(str(claims["user_id"])) if claims else None

    async def issued_tokens(self) -> dict[str, Scope]:
        """SHA-256 of every user token -> the scope it grants (for the server's Authorizer)."""
        async with self.db.session() as session:
            rows = (await session.execute(select(User.uuid, User.token_sha256, User.can_write))).all()
        self.scopes = {key: (Scope.WRITE if can_write else Scope.READ) for key, _, can_write in rows}
        return {digest: (Scope.WRITE if can_write else Scope.READ) for _, digest, can_write in rows}
