"""The PIN proof and the device's identity, without a network: real keys, real files."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from caller_server.protocol import (
    PairConfirm,
    PairHello,
    PairHelloReply,
    pairing_key,
    pairing_proof,
)
from counter_display.identity import MAX_FAILURES, Identity, PairedServer
from counter_display.pairing import PairingEndpoint

FP = "ab" * 32


def _endpoint(tmp_path: Path) -> tuple[PairingEndpoint, list[PairedServer], list[str]]:
    paired: list[PairedServer] = []
    pins: list[str] = []
    identity = Identity(tmp_path / "dev", "counter")
    endpoint = PairingEndpoint(identity, 3, paired.append, pins.append, host="127.0.0.1")
    endpoint.http.server_close()  # handle() is called directly; no socket needed
    return endpoint, paired, pins


def _hello(url: str = "http://0.0.0.0:8600") -> PairHello:
    return PairHello(
        server_id="hall", server_url=url, server_fp=FP, server_nonce=secrets.token_hex(16)
    )


def _run(endpoint: PairingEndpoint, pin: str, peer: str = "10.0.0.5") -> tuple[int, dict]:
    hello = _hello()
    status, body = endpoint.handle("/pair/hello", hello.model_dump_json().encode(), peer)
    assert status == 200
    reply = PairHelloReply.model_validate(body)
    key = pairing_key(pin, hello, reply)
    confirm = PairConfirm(
        server_nonce=hello.server_nonce, server_proof=pairing_proof(key, "server")
    )
    status, body = endpoint.handle("/pair/confirm", confirm.model_dump_json().encode(), peer)
    if status == 200:
        assert body["device_proof"] == pairing_proof(key, "device")
    return status, body


def test_right_pin_pins_the_server_and_answers_with_the_device_proof(tmp_path: Path) -> None:
    endpoint, paired, _ = _endpoint(tmp_path)
    pin = endpoint.identity.pin
    status, _ = _run(endpoint, pin)
    assert status == 200
    # A server bound to 0.0.0.0 is reached at the address the pairing came from.
    assert paired == [PairedServer("hall", "http://10.0.0.5:8600", FP)]
    stored = json.loads((tmp_path / "dev" / "device.json").read_text())
    assert stored["server"]["fp"] == FP and stored["pin"] != pin, "a used PIN is not kept"
    # Paired: a second server cannot start pairing.
    status, _ = endpoint.handle("/pair/hello", _hello().model_dump_json().encode(), "10.0.0.6")
    assert status == 409


def test_five_wrong_proofs_draw_a_new_pin(tmp_path: Path) -> None:
    endpoint, paired, pins = _endpoint(tmp_path)
    pin = endpoint.identity.pin
    wrong = f"{(int(pin) + 1) % 10**6:06d}"
    for attempt in range(1, MAX_FAILURES + 1):
        assert _run(endpoint, wrong)[0] == 403
        assert len(pins) == (1 if attempt == MAX_FAILURES else 0)
    assert pins == [endpoint.identity.pin] and pins[0] != pin
    assert _run(endpoint, pin)[0] == 403, "the old PIN no longer works"
    assert _run(endpoint, pins[0])[0] == 200 and len(paired) == 1


def test_proofs_bind_both_keys_and_both_nonces() -> None:
    hello = _hello()
    reply = PairHelloReply(
        device_id="d", public_key="A" * 43 + "=", device_nonce=secrets.token_hex(16)
    )
    key = pairing_key("123456", hello, reply)
    assert pairing_proof(key, "server") != pairing_proof(key, "device")
    swapped = reply.model_copy(update={"public_key": "B" * 43 + "="})
    other_server = hello.model_copy(update={"server_fp": "cd" * 32})
    replayed = reply.model_copy(update={"device_nonce": secrets.token_hex(16)})
    for changed in (
        pairing_key("123456", hello, swapped),
        pairing_key("123456", other_server, reply),
        pairing_key("123456", hello, replayed),
        pairing_key("123457", hello, reply),
    ):
        assert pairing_proof(changed, "server") != pairing_proof(key, "server")


def test_identity_survives_restarts_and_factory_reset_forgets(tmp_path: Path) -> None:
    first = Identity(tmp_path / "dev", "wall")
    first.paired(PairedServer("hall", "https://h:8600", FP))
    again = Identity(tmp_path / "dev", "wall")
    assert (again.id, again.fingerprint, again.server) == (
        first.id,
        first.fingerprint,
        first.server,
    )
    assert (tmp_path / "dev").stat().st_mode & 0o077 == 0
    again.factory_reset()
    assert again.server is None and again.fingerprint != first.fingerprint
    assert Identity(tmp_path / "dev", "wall").fingerprint == again.fingerprint
