"""Every key derived from the server secret comes from `derive`: HMAC-SHA256(secret, purpose).

The secret (`POLYPHONY_SECRET`, else `secret.key` in the data directory, shared by every worker) is never
used as a key itself; each use has its own purpose string, so a value made for one purpose (a paging
token) is worthless for another (a presigned URL). The purposes in use are the constants below; a
TimeSide user's DRF token is `derive(secret, user_token_purpose(uuid, salt))` (unchanged since it was
introduced, so issued user tokens stay valid, as do TimeSide JWTs).
"""

from __future__ import annotations

import hashlib
import hmac

PAGING = "paging"  # core.paging: opaque page tokens of every list
TAMS_OBJECT_URLS = "tams-objects"  # flow.urls: presigned PUT/GET URLs of the filesystem object store
TIMESIDE_JWT = "polyphony timeside jwt hs256"  # analysis.auth.users: the HS256 key of TimeSide JWTs
CUE_CHANNEL = "cue-channel"  # trigger.relays: the key of the default Redis cue channel's name
API_JWT = "polyphony api jwt hs256"  # core.auth: bearer JWTs with a `scope` claim (unless POLYPHONY_JWT_KEY)
EDGE_KEY = "polyphony edge key v1"  # core.edge_key: Envoy's proof that a call came through its REST path


def user_token_purpose(user_uuid: str, salt: str) -> str:
    """The purpose whose derived value is a TimeSide user's DRF token (a new salt revokes it)."""
    return f"{user_uuid}:{salt}"


def derive(secret: str, purpose: str) -> bytes:
    """The 32-byte key for `purpose` derived from the server secret."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
