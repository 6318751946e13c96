"""TimeSide users mapped onto Polyphony's bearer tokens.

A user has a username, names, a password (scrypt) and one API token. The token is
HMAC-SHA256(server secret, user uuid + salt), so it is never stored in clear: the database keeps its
SHA-256 (to recognize it) and the salt (to hand the same token out again, as DRF's token endpoint
does). Tokens of users who may write are accepted for writes, the others for reads; deleting a
user revokes their token. Server-configured tokens keep working and belong to no user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Mapping

from sqlalchemy import select

from polyphony.analysis.items import now
from polyphony.analysis.models import User
from polyphony.core.auth import Scope
from polyphony.core.db import Database
from polyphony.core.errors import Conflict, InvalidArgument, NotFound

NOT_FOUND = "No User matches the given query."
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
_SCRYPT = {"n": 1 << 14, "r": 8, "p": 1}


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
        raise InvalidArgument("This field is required." if value == "" else "This field may not be null.",
                              field=name)
    if not isinstance(value, str):
        raise InvalidArgument("Not a valid string.", field=name)
    if len(value) > max_length:
        raise InvalidArgument(f"Ensure this field has no more than {max_length} characters.", field=name)
    return value


class UserService:
    def __init__(self, db: Database, secret: str) -> None:
        self.db = db
        self.secret = secret.encode()

    def token_of(self, user: User) -> str:
        mac = hmac.new(self.secret, f"{user.uuid}:{user.token_salt}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    async def create(self, raw: Mapping[str, object]) -> User:
        username = _text(raw, "username", required=True)
        if not _USERNAME.match(username):
            raise InvalidArgument("Enter a valid username. This value may contain only letters, numbers, and "
                                  "@/./+/-/_ characters.", field="username")
        password = _text(raw, "password", required=True, max_length=4096)
        first, last = _text(raw, "first_name"), _text(raw, "last_name")
        can_write = raw.get("can_write", True)
        if not isinstance(can_write, bool):
            raise InvalidArgument("Must be a valid boolean.", field="can_write")
        user = User(uuid=str(uuid.uuid4()), username=username, first_name=first, last_name=last,
                    password_hash=hash_password(password), token_salt=secrets.token_hex(16), can_write=can_write,
                    date_added=now())
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
            if username == "me":
                digest = hashlib.sha256(caller_token.encode()).hexdigest() if caller_token else ""
                user = await session.scalar(select(User).where(User.token_sha256 == digest))
            else:
                user = await session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(NOT_FOUND)
        return user

    async def delete(self, username: str) -> None:
        async with self.db.transaction() as session:
            user = await session.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound(NOT_FOUND)
            await session.delete(user)

    async def obtain_token(self, raw: Mapping[str, object]) -> str:
        username = _text(raw, "username", required=True)
        password = _text(raw, "password", required=True, max_length=4096)
        async with self.db.session() as session:
            user = await session.scalar(select(User).where(User.username == username))
        if user is None or not check_password(password, user.password_hash):
            raise InvalidArgument("Unable to log in with provided credentials.", field="non_field_errors")
        return self.token_of(user)

    async def issued_tokens(self) -> dict[str, Scope]:
        """SHA-256 of every user token -> the scope it grants (for the server's Authorizer)."""
        async with self.db.session() as session:
            rows = (await session.execute(select(User.token_sha256, User.can_write))).all()
        return {digest: (Scope.WRITE if can_write else Scope.READ) for digest, can_write in rows}
