import json

from polyphony.core.errors import (
    ErrorFamily,
    Gone,
    InvalidArgument,
    NotFound,
    render_error,
    render_error_json,
)


def test_aura_errors_are_jsonapi_objects_with_string_status() -> None:
    doc = render_error(ErrorFamily.AURA, NotFound("no track"))
    assert doc == {"errors": [{"status": "404", "title": "Not Found", "detail": "no track"}]}


def test_aura_parameter_errors_point_at_the_parameter() -> None:
    doc = render_error(ErrorFamily.AURA, InvalidArgument("bad", field="limit"))
    assert doc["errors"][0]["source"] == {"parameter": "limit"}  # type: ignore[index]


def test_tams_errors_have_type_summary_time() -> None:
    doc = render_error(ErrorFamily.TAMS, Gone("expired"))
    assert doc["type"] == "Gone" and doc["summary"] == "expired"
    assert str(doc["time"]).endswith("Z")


def test_timeside_errors_are_drf_shaped() -> None:
    assert render_error(ErrorFamily.TIMESIDE, NotFound("Not found.")) == {"detail": "Not found."}
    assert render_error(ErrorFamily.TIMESIDE, InvalidArgument("bad file", field="source_file")) == {
        "source_file": ["bad file"]
    }


def test_error_json_is_ascii_for_metadata() -> None:
    text = render_error_json(ErrorFamily.AURA, NotFound("pas de piste « é »"))
    assert text.isascii()
    assert json.loads(text)["errors"][0]["detail"] == "pas de piste « é »"


def test_status_and_codes() -> None:
    err = InvalidArgument("x")
    assert (err.http_status, err.grpc_code, err.title) == (400, "INVALID_ARGUMENT", "Bad Request")
