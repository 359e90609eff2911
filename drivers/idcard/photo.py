"""The WLT photo and where a hall's licensed decoder plugs in.

The 1,024-byte photo on the card is WLT, a format only the licensed vendor
libraries decode. yihao keeps it as opaque bytes (``IdentityCard.photo``), never
writes it anywhere and ships no decoder. A hall that holds a licence can install
a small package of its own that wraps its library and registers it under the
entry point group ``yihao.wlt_decoders``::

    [project.entry-points."yihao.wlt_decoders"]
    vendor = "hall_wlt:VendorDecoder"

The object named there is called with no arguments and must return a
:class:`PhotoDecoder`. See docs/idcard.md, "Photo".
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from drivers.idcard.errors import IdCardError

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "yihao.wlt_decoders"
WLT_SIZE = 1024
_IMAGE_SIGNATURES = (b"BM", b"\x89PNG\r\n\x1a\n")


class PhotoError(IdCardError):
    """No decoder, several decoders and no choice, or a decoder that failed."""

    message_zh = "无法解码证件照片"
    message_en = "the card photo cannot be decoded"


@runtime_checkable
class PhotoDecoder(Protocol):
    """A licensed WLT decoder wrapped by the hall."""

    name: str
    """Shown in logs and diagnostics (e.g. the vendor and library version)."""

    def decode(self, wlt: bytes) -> bytes:
        """The 1,024 WLT bytes → a BMP or PNG image (bytes, in memory)."""
        ...


def installed_decoders() -> list[str]:
    """Names of the registered decoders (entry point names)."""
    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))


def load_photo_decoder(name: str | None = None) -> PhotoDecoder | None:
    """The decoder registered as ``name`` (default: the only one); None when none is installed."""
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if not found:
        return None
    if name is None:
        if len(found) > 1:
            raise PhotoError(
                "安装了多个照片解码器，请指定一个",
                f"several photo decoders are installed ({', '.join(sorted(found))}): name one",
            )
        name = next(iter(found))
    if name not in found:
        raise PhotoError(message_en=f"no photo decoder {name!r} is installed")
    try:
        decoder = found[name].load()()
    except Exception as exc:
        raise PhotoError(message_en=f"photo decoder {name!r} failed to load: {exc}") from exc
    if not isinstance(decoder, PhotoDecoder):
        raise PhotoError(message_en=f"photo decoder {name!r} has no name and decode()")
    logger.info("photo decoder %s loaded", decoder.name)
    return decoder


def decode_photo(decoder: PhotoDecoder, wlt: bytes) -> bytes:
    """Decode with checks on both sides; the image stays in memory."""
    if len(wlt) != WLT_SIZE:
        raise PhotoError(message_en=f"the WLT photo has {len(wlt)} bytes, not {WLT_SIZE}")
    try:
        image = decoder.decode(wlt)
    except Exception as exc:
        raise PhotoError(message_en=f"{decoder.name} could not decode the photo: {exc}") from exc
    if not image.startswith(_IMAGE_SIGNATURES):
        raise PhotoError(message_en=f"{decoder.name} returned no BMP or PNG image")
    return image
