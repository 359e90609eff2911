"""The licensed-decoder entry point: found through real distribution metadata on sys.path.

No WLT decoder exists outside the vendors' licensed libraries, so the decoder
registered here is a stand-in that wraps the bytes in a BMP header: the test
is about the plug-in mechanism, not about WLT.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.idcard.photo import (
    ENTRY_POINT_GROUP,
    PhotoError,
    decode_photo,
    installed_decoders,
    load_photo_decoder,
)
from drivers.idcard.sim.citizens import load_citizens

DECODER_MODULE = """
class StandIn:
    name = "stand-in 1.0"

    def decode(self, wlt: bytes) -> bytes:
        if not wlt.startswith(b"WLT"):
            raise ValueError("not a WLT photo")
        return b"BM" + wlt


class Broken:
    def __init__(self) -> None:
        raise OSError("licence file missing")
"""


def install(site: Path, dist: str, entries: dict[str, str]) -> None:
    """Write a distribution's metadata the way pip does (dist-info with entry_points.txt)."""
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "\n".join(f"{name} = {target}" for name, target in entries.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}\n")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "hall_wlt_standin.py").write_text(textwrap.dedent(DECODER_MODULE))
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    sys.modules.pop("hall_wlt_standin", None)


def test_no_decoder_is_shipped() -> None:
    assert installed_decoders() == []
    assert load_photo_decoder() is None


def test_a_hall_decoder_is_found_by_its_entry_point(site: Path) -> None:
    install(site, "hall-wlt", {"hall": "hall_wlt_standin:StandIn"})
    assert installed_decoders() == ["hall"]
    decoder = load_photo_decoder()
    assert decoder is not None and decoder.name == "stand-in 1.0"
    photo = load_citizens()[0].photo()
    assert decode_photo(decoder, photo) == b"BM" + photo
    with pytest.raises(PhotoError, match="1023 bytes"):
        decode_photo(decoder, photo[:-1])
    with pytest.raises(PhotoError, match="could not decode the photo: not a WLT photo"):
        decode_photo(decoder, bytes(1024))


def test_broken_or_ambiguous_decoders_are_clear_errors(site: Path) -> None:
    install(site, "hall-wlt", {"hall": "hall_wlt_standin:StandIn"})
    install(site, "other-wlt", {"broken": "hall_wlt_standin:Broken"})
    with pytest.raises(PhotoError, match="several photo decoders"):
        load_photo_decoder()
    with pytest.raises(PhotoError, match="licence file missing"):
        load_photo_decoder("broken")
    with pytest.raises(PhotoError, match="no photo decoder 'nope'"):
        load_photo_decoder("nope")
    assert load_photo_decoder("hall") is not None
