import pytest

from polyphony.core.errors import InvalidArgument
from polyphony.trigger.manage import ChannelFields, check_channel


def _channel(uri: str) -> ChannelFields:
    return ChannelFields(None, "Stage", [], False, uri, None, None)


@pytest.mark.parametrize("uri", ["http://[::1\\]/", "http://[nope]/x", "ftp://host/", "/relative/"])
def test_a_provisioning_uri_that_is_no_http_url_is_invalid_argument(uri: str) -> None:
    # urlsplit raises ValueError on a bracketed host that is no IP address: a 400, never a 500
    with pytest.raises(InvalidArgument, match="provisioningUri"):
        check_channel(_channel(uri))


def test_an_http_provisioning_uri_passes() -> None:
    assert check_channel(_channel("http://[::1]:8080/files/")).provisioning_uri == "http://[::1]:8080/files/"
