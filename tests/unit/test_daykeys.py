"""Day keys: sealed under the hall secret, per day, and a wrong secret is noticed."""

from __future__ import annotations

from datetime import date

import pytest

from caller_server.domain.daykeys import (
    KEY_BYTES,
    DayKeyError,
    new_day_key,
    purge_before,
    seal,
    unseal,
)


def test_seal_round_trip_and_a_different_day_or_secret_is_refused() -> None:
    key = new_day_key()
    sealed = seal(b"s" * 32, "2026-12-01", key)
    assert len(sealed) == 48 and key not in sealed
    assert unseal(b"s" * 32, "2026-12-01", sealed) == key
    for secret, day in ((b"t" * 32, "2026-12-01"), (b"s" * 32, "2026-12-02")):
        with pytest.raises(DayKeyError) as err:
            unseal(secret, day, sealed)
        assert "hall.secret" in err.value.message_en
    with pytest.raises(DayKeyError):
        unseal(b"s" * 32, "2026-12-01", sealed[:-1])


def test_keys_differ_every_day() -> None:
    assert len({new_day_key() for _ in range(50)}) == 50
    assert len(new_day_key()) == KEY_BYTES
    with pytest.raises(ValueError, match="32 bytes"):
        seal(b"s" * 32, "2026-12-01", b"short")


def test_retention_cutoff() -> None:
    assert purge_before(date(2026, 12, 8), 7) == "2026-12-01"
    assert purge_before(date(2026, 12, 8), 0) == "2026-12-08"
