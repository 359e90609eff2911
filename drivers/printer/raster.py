"""Drawing the ticket layout as an image with a CJK font.

The same renderer makes the raster ticket (for printers without a Chinese font), the PNG
preview the kiosk shows and the virtual printer stores, and the raster fallback for single
lines whose characters the printer's encoding cannot hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from drivers.printer.config import PrinterConfig
from drivers.printer.errors import missing_library
from drivers.printer.fonts import FontFace, find_cjk_font, load_font
from drivers.printer.layout import Block, QrBlock, RuleBlock, TextBlock, fit_block, ticket_blocks
from drivers.printer.ticket import Ticket

try:
    import qrcode
    from PIL import Image, ImageDraw
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise missing_library("Pillow and qrcode") from exc

BASE_PX = 24
"""Pixel height of scale-1 text: the printer's 12x24 font A."""
MARGIN = 2
"""Blank dots kept at the left and right edges."""


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of the QR code printed for ``data`` (error correction M, no border)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


class RasterRenderer:
    """Renders blocks for one paper width; white background, black ink, mode ``L``."""

    def __init__(self, config: PrinterConfig) -> None:
        self.width = config.dots
        self.font_setting = config.font

    @cached_property
    def face(self) -> FontFace:
        """The CJK font, looked up when text is first drawn (a QR code needs none)."""
        return find_cjk_font(self.font_setting)

    def ticket(self, ticket: Ticket) -> Image.Image:
        """The whole ticket, as printed in raster mode and shown as the preview."""
        return self.render(ticket_blocks(ticket), pad=BASE_PX)

    def render(self, blocks: Sequence[Block], pad: int = 0) -> Image.Image:
        """The blocks stacked top to bottom, with ``pad`` blank dots above and below."""
        pieces: list[Image.Image] = []
        for block in blocks:
            if isinstance(block, TextBlock):
                pieces += self._text(block)
            elif isinstance(block, QrBlock):
                pieces.append(self._qr(block))
            else:
                pieces.append(self._rule(block))
        height = sum(p.height for p in pieces) + 2 * pad
        canvas = Image.new("L", (self.width, height), 255)
        y = pad
        for piece in pieces:
            canvas.paste(piece, (0, y))
            y += piece.height
        return canvas

    def _fits(self, text: str, scale: int) -> bool:
        return load_font(self.face, BASE_PX * scale).getlength(text) <= self.width - 2 * MARGIN

    def _text(self, block: TextBlock) -> list[Image.Image]:
        scale, lines = fit_block(block, self._fits)
        font = load_font(self.face, BASE_PX * scale)
        ascent, descent = font.getmetrics()
        stroke = max(1, scale // 2) if block.bold else 0
        line_height = ascent + descent + 2 * stroke + BASE_PX * scale // 6
        images = []
        for line in lines:
            image = Image.new("L", (self.width, line_height), 255)
            length = font.getlength(line)
            x = {
                "left": MARGIN,
                "center": (self.width - length) / 2,
                "right": self.width - MARGIN - length,
            }[block.align]
            ImageDraw.Draw(image).text(
                (x, stroke), line, fill=0, font=font, stroke_width=stroke, stroke_fill=0
            )
            images.append(image)
        return images

    def _qr(self, block: QrBlock) -> Image.Image:
        matrix = qr_matrix(block.data)
        size = len(matrix)
        code = Image.new("L", (size, size), 255)
        code.putdata([0 if dark else 255 for row in matrix for dark in row])
        code = code.resize((size * block.module, size * block.module), Image.Resampling.NEAREST)
        quiet = 4 * block.module
        image = Image.new("L", (self.width, code.height + 2 * quiet), 255)
        image.paste(code, ((self.width - code.width) // 2, quiet))
        return image

    def _rule(self, _block: RuleBlock) -> Image.Image:
        image = Image.new("L", (self.width, BASE_PX), 255)
        draw = ImageDraw.Draw(image)
        for x in range(MARGIN, self.width - MARGIN, 12):
            draw.rectangle((x, BASE_PX // 2 - 1, x + 7, BASE_PX // 2), fill=0)
        return image


def to_bitmap(image: Image.Image) -> Image.Image:
    """Black and white for the print head: a threshold, no dithering (text stays crisp)."""
    return image.point(lambda value: 255 if value >= 128 else 0).convert("1")
