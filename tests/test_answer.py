"""The documents a run works from (answer.py): the rules that mutants showed no test pinned.

How a PVS message is quoted in an error, how HTML is told from JSON, and how `--input` documents
are recognised, each with the exact answer written out.
"""

from __future__ import annotations

import pytest

from sunpower_telegraf.answer import (
    PVSError,
    means_logged_out,
    parse_json,
    quote,
    to_answer,
    to_error,
    to_text,
)


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("x" * 200, "x" * 200),  # 200 characters fit as they are
        ("x" * 201, "x" * 197 + "..."),  # one more, and the quote is cut to 200 with its ellipsis
        ("a\nb  c", "a b c"),  # one line, white space collapsed
        ({"error": "busy"}, '{"error": "busy"}'),  # anything but text, as JSON
    ],
)
def test_quote(value: object, quoted: str) -> None:
    assert quote(value) == quoted


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", ""),  # a proxy's page, no content type
        (b"  <!DOCTYPE html>", "application/octet-stream"),  # the body tells, whatever the header
        (b"Bad Gateway", "text/html; charset=utf-8"),  # the header tells, whatever the body
    ],
)
def test_html_is_no_json(body: bytes, content_type: str) -> None:
    with pytest.raises(PVSError) as raised:
        parse_json(body, "http://pvs/x", content_type)
    assert str(raised.value) == (
        "the PVS answered http://pvs/x with HTML, not JSON: an old PVS2, or a proxy's error page; "
        "check --host"
    )


def test_varserver_values_list_is_read_by_name() -> None:
    """`/vars?name=...` answers a `values` list; entries without a text name are not variables."""
    document = {
        "count": 4,
        "values": [
            {"name": "/sys/info/serialnum", "value": "ZT221285000549S1M01"},
            {"name": "/sys/livedata/pv_p", "value": "1.25"},
            {"name": 7, "value": "a name that is no text"},
            "not an entry",
        ],
    }
    answer = to_answer([("vars.json", document)])
    assert answer.vars == {
        "/sys/info/serialnum": "ZT221285000549S1M01",
        "/sys/livedata/pv_p": "1.25",
    }
    assert answer.devices is None and answer.ess_status is None


def test_input_documents_never_claim_a_login() -> None:
    answer = to_answer([("devices.json", {"devices": []})])
    assert answer.logged_in is False
    assert answer.firmware == ""


NOT_AN_ANSWER = (
    "in.json is JSON but not a PVS answer: no device list, storage status or varserver variables"
)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        # a list of variable names is no varserver answer (`fmt=obj` is an object)
        (["/sys/info/serialnum"], NOT_AN_ANSWER),
        ({"serial": "ZT1"}, NOT_AN_ANSWER),
        (
            {"result": "fail", "msg": "busy"},
            "the PVS answered result 'fail' to the device list: busy",
        ),
    ],
)
def test_unrecognised_input_says_why(document: object, message: str) -> None:
    with pytest.raises(PVSError) as raised:
        to_answer([("in.json", document)])
    assert str(raised.value) == message


# -- error reports and the session they say is gone (answer.to_error, means_logged_out) ------------


@pytest.mark.parametrize(
    ("document", "error"),
    [
        ({"status": 400, "message": "bad request"}, '{"status": 400, "message": "bad request"}'),
        ({"status": "400"}, '{"status": "400"}'),  # a status as text counts too
        ({"status": 399, "message": "odd"}, None),  # below 400 is no error status
        ({"status": 200, "result": "ok"}, None),
        ({"errorcode": 5}, '{"errorcode": 5}'),
    ],
)
def test_an_error_report_is_told_by_its_status_or_its_keys(
    document: dict[str, object], error: str | None
) -> None:
    assert to_error(document) == error


@pytest.mark.parametrize(
    ("document", "gone"),
    [
        ({"status": 401}, True),
        ({"status": 403}, True),
        ({"errorcode": "403"}, True),  # any key naming a status or a code, as text too
        ({"status": 402}, False),
        ({"status": 500, "error": "Internal"}, False),
        ({"error": "no session"}, True),  # the words, where no code says it
        ({"error": 401}, False),  # `error` names neither a status nor a code: its 401 is a number
        ({"status": 500, "detail": ["session"]}, False),  # only text values are read as words
        ({"status": 500, "message": "disk full"}, False),
    ],
)
def test_an_error_report_says_the_session_is_gone(document: dict[str, object], gone: bool) -> None:
    assert means_logged_out(document) is gone


def test_two_storage_statuses_in_one_run_are_refused() -> None:
    status = {"ess_report": {"battery_status": []}}
    with pytest.raises(PVSError) as refused:
        to_answer([("a.json", status), ("b.json", status)])
    assert str(refused.value) == (
        "a.json and b.json both hold a storage status: give the documents of one run, each once"
    )


@pytest.mark.parametrize(
    "body",
    [
        b'\xef\xbb\xbf{"a": 1}',  # the UTF-8 byte-order mark, taken by the decoding
        b'\xef\xbb\xbf\xef\xbb\xbf{"a": 1}',  # a second one, as a tool that adds one again saves
        '\ufeff{"a": 1}'.encode("utf-16"),  # UTF-16 with a mark before the text's own
    ],
)
def test_every_byte_order_mark_before_the_document_is_dropped(body: bytes) -> None:
    assert to_text(body) == '{"a": 1}'
