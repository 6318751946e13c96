import pytest

from polyphony.core.errors import Gone, InvalidArgument
from polyphony.core.paging import PageTokens


def test_round_trip_keeps_position() -> None:
    tokens = PageTokens("secret")
    token = tokens.encode("tracks|-year|", {"v": [2020], "id": 7})
    assert tokens.decode("tracks|-year|", token) == {"v": [2020], "id": 7}


def test_token_is_opaque_and_url_safe() -> None:
    token = PageTokens("secret").encode("s", {"id": 1})
    assert all(c.isalnum() or c in "-_" for c in token)


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1], lambda t: "x" + t, lambda t: "!!!", lambda t: ""],
)
def test_tampered_token_is_invalid_argument(mangle) -> None:  # type: ignore[no-untyped-def]
    tokens = PageTokens("secret")
    with pytest.raises(InvalidArgument) as err:
        tokens.decode("s", mangle(tokens.encode("s", {"id": 1})))
    assert err.value.field == "page"


def test_token_from_other_secret_is_rejected() -> None:
    token = PageTokens("one").encode("s", {"id": 1})
    with pytest.raises(InvalidArgument):
        PageTokens("two").decode("s", token)


def test_token_for_other_query_is_rejected() -> None:
    tokens = PageTokens("secret")
    with pytest.raises(InvalidArgument):
        tokens.decode("tracks|title|", tokens.encode("tracks|-year|", {"id": 1}))


def test_expired_token_is_gone() -> None:
    now = [1000.0]
    tokens = PageTokens("secret", ttl_seconds=10, clock=lambda: now[0])
    token = tokens.encode("s", {"id": 1})
    now[0] += 9
    assert tokens.decode("s", token) == {"id": 1}
    now[0] += 2
    with pytest.raises(Gone):
        tokens.decode("s", token)
