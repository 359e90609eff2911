"""Ticket → ESC/POS bytes through python-escpos, in text or raster mode."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from drivers.printer.config import PrinterConfig
from drivers.printer.errors import PrinterConfigError, missing_library
from drivers.printer.layout import Block, QrBlock, TextBlock, columns, fit_block, ticket_blocks
from drivers.printer.raster import RasterRenderer, to_bitmap
from drivers.printer.ticket import Ticket

if TYPE_CHECKING:
    from PIL import Image

try:
    from escpos.constants import QR_ECLEVEL_M
    from escpos.exceptions import ImageWidthError
    from escpos.printer import Dummy
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise missing_library("python-escpos") from exc


class EscposBuilder:
    """Builds the bytes of one ticket for one printer configuration."""

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config
        self.encoder = config.encoder()

    @cached_property
    def raster(self) -> RasterRenderer:
        """The image renderer; the CJK font is looked up only when an image is needed."""
        return RasterRenderer(self.config)

    def build(self, ticket: Ticket) -> bytes:
        """The complete print job: init, the ticket, feed and cut."""
        printer = Dummy(profile=self.config.escpos_profile)
        printer.hw("INIT")
        if self.config.mode == "raster":
            self._image(printer, self.raster.ticket(ticket))
        else:
            for block in ticket_blocks(ticket):
                self._block(printer, block)
        printer.cut(mode="FULL" if self.config.cut == "full" else "PART")
        return bytes(printer.output)

    def _block(self, printer: Dummy, block: Block) -> None:
        if isinstance(block, TextBlock):
            self._text(printer, block)
        elif isinstance(block, QrBlock):
            printer.set(align="center")
            if self.config.qr_native:
                printer.qr(block.data, ec=QR_ECLEVEL_M, size=block.module, native=True)
            else:
                self._image(printer, self.raster.render([block]))
        else:
            printer.set(align="left")
            printer._raw(b"-" * self.config.columns + b"\n")

    def _fits(self, text: str, scale: int) -> bool:
        return columns(text) * scale <= self.config.columns

    def _text(self, printer: Dummy, block: TextBlock) -> None:
        scale, lines = fit_block(block, self._fits)
        printer.set(align=block.align, bold=block.bold, custom_size=True, width=scale, height=scale)
        for line in lines:
            if self.encoder.can_print(line):
                printer._raw(self.encoder.encode(line) + b"\n")
            else:
                # Characters outside the printer's font: this line goes out as an image.
                fallback = TextBlock(line, scale, block.bold, block.align, one_line=True)
                self._image(printer, self.raster.render([fallback]))
        printer.set(bold=False, custom_size=True, width=1, height=1)

    def _image(self, printer: Dummy, image: Image.Image) -> None:
        try:
            printer.image(to_bitmap(image), impl="bitImageRaster")
        except ImageWidthError as exc:
            raise PrinterConfigError(
                f"image wider than profile {self.config.escpos_profile!r} allows: {exc}"
            ) from exc
