"""Who is calling: the default `created_by` / `updated_by` of what a request creates or changes.

The spec asks for values "based on the principal accessing the system". Our tokens carry no user name,
so the principal is the user name of HTTP basic credentials when given, otherwise a stable, non-secret
name derived from the token (`token-` and the first 12 hex digits of its SHA-256).
"""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.auth import credentials_from
from polyphony.core.errors import Unauthenticated


def principal(authorization: str | None, access_token: str | None = None) -> str | None:
    """The caller's name from its `Authorization` header or `access_token` parameter (None: anonymous)."""
    try:
        creds = credentials_from(authorization, access_token)
    except Unauthenticated:
        return None
    if authorization and authorization.strip().lower().startswith("basic "):
        try:
            user = base64.b64decode(authorization.strip()[6:].strip(), validate=True).decode().partition(":")[0]
        except ValueError:  # bad base64 (binascii.Error), non-ASCII text, or not UTF-8
            user = ""
        if user:
            return user
    if creds.token is None:
        return None
    return "token-" + hashlib.sha256(creds.token.encode()).hexdigest()[:12]


# The servicer records the caller on the session of each write (`session.info`), so the domain functions
# that create or change Flows, Sources and Profiles can default `created_by` / `updated_by` to it.
SESSION_KEY = "tams_principal"


def of(session: AsyncSession) -> str | None:
    """The caller recorded on `session` (None: unknown, e.g. a background job or a direct domain call)."""
    value = session.info.get(SESSION_KEY)
    return value if isinstance(value, str) else None
