"""SAM frame codec: vectors from HARDWARE.md, round trips, resync, typed errors, fuzzing."""

from __future__ import annotations

import functools
import operator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard.errors import (
    ChecksumError,
    FrameError,
    IdCardError,
    LengthError,
    ModuleTimeoutError,
    NoCardError,
    ReaderError,
    ReaderTimeoutError,
    ReadFailedError,
    SamError,
    SamNotAuthorizedError,
    SelectFailedError,
)
from drivers.idcard.frames import (
    MAX_LENGTH,
    PREAMBLE,
    Command,
    FrameDecoder,
    Request,
    Response,
    build_frame,
    build_request,
    build_response,
    error_for_status,
    split_read_payload,
    xor_checksum,
)

H = bytes.fromhex


@pytest.mark.parametrize(
    ("command", "wire"),
    [
        (Command.FIND, "AAAAAA9669 0003 2001 22"),
        (Command.SELECT, "AAAAAA9669 0003 2002 21"),
        (Command.READ, "AAAAAA9669 0003 3001 32"),
        (Command.RESET, "AAAAAA9669 0003 10FF EC"),
        (Command.STATUS, "AAAAAA9669 0003 11FF ED"),
        (Command.SAM_ID, "AAAAAA9669 0003 12FF EE"),
    ],
)
def test_requests_match_the_documented_bytes(command: Command, wire: str) -> None:
    assert build_request(command) == H(wire)


def test_documented_find_answers_decode() -> None:
    decoder = FrameDecoder()
    decoder.feed(H("AAAAAA9669 0008 00009F 00000000 97") + H("AAAAAA9669 0004 000080 84"))
    found = Response.parse(decoder.next_body() or b"")
    none = Response.parse(decoder.next_body() or b"")
    assert (found.status, found.data, found.ok) == (0x9F, bytes(4), True)
    assert (none.status, none.ok) == (0x80, False)
    assert decoder.next_body() is None
    assert build_response(0x80) == H("AAAAAA9669 0004 000080 84")
    assert build_response(0x81) == H("AAAAAA9669 0004 000081 85")


def test_read_answer_header_and_total_size() -> None:
    payload = H("0100 0400") + bytes(range(256)) + bytes(1024)
    frame = build_response(0x90, payload)
    assert len(frame) == 1295
    assert frame[:14] == H("AAAAAA9669 0508 000090 0100 0400")
    decoder = FrameDecoder()
    decoder.feed(frame)
    text, photo = split_read_payload(Response.parse(decoder.next_body() or b"").data)
    assert text == bytes(range(256)) and photo == bytes(1024)


def test_read_payload_lengths_are_checked() -> None:
    with pytest.raises(LengthError):
        split_read_payload(H("0100 0400") + bytes(100))
    with pytest.raises(LengthError):
        split_read_payload(b"\x01")


def test_request_parse_and_unknown_command() -> None:
    decoder = FrameDecoder()
    decoder.feed(build_request(Command.READ) + build_frame(b"\x42\x42abc"))
    assert Request.parse(decoder.next_body() or b"").command() is Command.READ
    odd = Request.parse(decoder.next_body() or b"")
    assert (odd.cmd, odd.para, odd.data, odd.command()) == (0x42, 0x42, b"abc", None)


def test_response_with_nonzero_sw1_sw2_is_a_frame_error() -> None:
    with pytest.raises(FrameError):
        Response.parse(H("6A8290"))
    with pytest.raises(FrameError):
        Response.parse(H("0000"))


@pytest.mark.parametrize(
    "wire",
    [
        "AAAAAA9669 0005 05050505 05",  # with a valid checksum
        "AAAAAA9669 0005 05050505 00",  # vendor code matches the first 10 bytes only
        "AAAAAA9669 0005 05050500 77",
    ],
)
def test_the_vendor_timeout_frame_is_a_timeout_not_a_frame_error(wire: str) -> None:
    decoder = FrameDecoder()
    decoder.feed(H(wire) + build_response(0x9F))
    body = decoder.next_body()
    assert body is not None
    with pytest.raises(ModuleTimeoutError) as caught:
        Response.parse(body)
    assert isinstance(caught.value, ReaderTimeoutError) and not isinstance(caught.value, FrameError)
    assert Response.parse(decoder.next_body() or b"").status == 0x9F, "decoding goes on"


@pytest.mark.parametrize(
    ("status", "error", "reader_level"),
    [
        (0x80, NoCardError, False),
        (0x81, SelectFailedError, False),
        (0x41, ReadFailedError, False),
        (0x10, ChecksumError, False),
        (0x11, LengthError, False),
        (0x66, SamNotAuthorizedError, True),
        (0x23, SamNotAuthorizedError, True),
        (0x60, SamError, True),
        (0x77, SamError, True),
    ],
)
def test_statuses_become_typed_errors(status: int, error: type, reader_level: bool) -> None:
    exc = error_for_status(status)
    assert type(exc) is error
    assert exc.status == status
    assert isinstance(exc, ReaderError) is reader_level
    assert f"0x{status:02X}" in exc.message_zh and f"0x{status:02X}" in exc.message_en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.message_zh)
    with pytest.raises(error):
        Response(status, b"").raise_for_status()


def test_ok_statuses_do_not_raise() -> None:
    assert Response(0x90, b"x").raise_for_status().data == b"x"
    assert Response(0x9F, b"").raise_for_status().ok


def test_resync_skips_garbage_and_false_preambles() -> None:
    frame = build_response(0x90, b"hello")
    noise = b"\x00\x01" + PREAMBLE + b"\xff\xff" + b"zz" + PREAMBLE[:3]
    decoder = FrameDecoder()
    decoder.feed(noise + frame)
    assert decoder.next_body() == b"\x00\x00\x90hello"
    assert decoder.skipped == len(noise)


def test_checksum_error_consumes_the_frame_and_decoding_goes_on() -> None:
    bad = bytearray(build_response(0x90, b"abc"))
    bad[-1] ^= 0x01
    decoder = FrameDecoder()
    decoder.feed(bytes(bad) + build_response(0x9F))
    with pytest.raises(ChecksumError):
        decoder.next_body()
    assert decoder.next_body() == b"\x00\x00\x9f"


def test_wanted_tells_how_many_bytes_complete_the_frame() -> None:
    frame = build_response(0x90, bytes(100))
    decoder = FrameDecoder()
    assert decoder.wanted() == 7
    decoder.feed(frame[:3])
    assert decoder.wanted() == 4
    decoder.feed(frame[3:10])
    assert decoder.next_body() is None
    assert decoder.wanted() == len(frame) - 10
    decoder.feed(frame[10:])
    assert decoder.next_body() == b"\x00\x00\x90" + bytes(100)


def test_build_frame_refuses_impossible_lengths() -> None:
    with pytest.raises(LengthError):
        build_frame(b"\x20")
    with pytest.raises(LengthError):
        build_frame(bytes(MAX_LENGTH))


@given(st.binary(max_size=3000))
def test_xor_checksum_equals_bytewise_xor(data: bytes) -> None:
    assert xor_checksum(data) == functools.reduce(operator.xor, data, 0)


@given(st.integers(0, 255), st.binary(max_size=1500))
def test_response_round_trip(status: int, data: bytes) -> None:
    decoder = FrameDecoder()
    decoder.feed(build_response(status, data))
    assert Response.parse(decoder.next_body() or b"") == Response(status, data)


def _drain(decoder: FrameDecoder, budget: int) -> list[bytes]:
    """All frames the decoder gives; codec errors are allowed, anything else fails."""
    bodies: list[bytes] = []
    for _ in range(budget):
        try:
            body = decoder.next_body()
        except IdCardError:
            continue
        if body is None:
            return bodies
        bodies.append(body)
        for parse in (Response.parse, Request.parse):
            try:
                parse(body)
            except IdCardError:
                pass
    pytest.fail("the decoder kept producing results: it does not terminate")


@settings(max_examples=300)
@given(st.binary(max_size=4000), st.lists(st.integers(1, 600), max_size=20))
def test_fuzz_random_bytes_in_random_chunks(data: bytes, cuts: list[int]) -> None:
    decoder = FrameDecoder()
    position = 0
    for size in [*cuts, len(data)]:
        decoder.feed(data[position : position + size])
        position += size
        _drain(decoder, budget=len(data) + 2)
        assert decoder.wanted() >= 1


@settings(max_examples=300)
@given(
    st.binary(max_size=300),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    st.binary(max_size=20),
    st.integers(0, 20),
)
def test_fuzz_mutated_frames(
    data: bytes, flips: list[tuple[int, int]], prefix: bytes, cut: int
) -> None:
    frame = bytearray(build_response(0x90, data))
    for index, value in flips:
        frame[index % len(frame)] = value
    wire = prefix + bytes(frame)[: len(frame) - cut] + build_response(0x9F)
    decoder = FrameDecoder()
    decoder.feed(wire)
    bodies = _drain(decoder, budget=len(wire) + 2)
    if not flips and not cut and b"\xaa" not in prefix:
        assert bodies[-2:] == [b"\x00\x00\x90" + data, b"\x00\x00\x9f"]
