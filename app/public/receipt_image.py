"""The receipt as a PNG: the case reference and the tracking code, drawn on the server.

So "save as image" works without JavaScript and the code never travels in a URL: the
page carries the picture itself (a `data:` URL) and a download link to it. Drawn with
Pillow in the DejaVu fonts that matplotlib ships, so every installation has them.

The labels are drawn in the reporter's language when those fonts hold every letter of
them (Latin scripts, and Arabic shaped right to left when Pillow has its text-layout
library); otherwise only the reference and the code are drawn, which read the same in
every language, and the page around the picture says which is which.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont, features

WIDTH, MARGIN = 720, 36
LABEL_SIZE, VALUE_SIZE = 26, 44
INK, PAPER = 0, 255


def _font_path(name: str) -> Path:
    spec = find_spec("matplotlib")
    assert spec is not None and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf" / name


@cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_font_path(name)), size)


@cache
def _covered(name: str) -> frozenset[int]:
    with TTFont(str(_font_path(name)), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _drawable(text: str, direction: str) -> bool:
    """True when the label font holds every letter and the direction can be laid out."""
    if direction == "rtl" and not features.check("raqm"):
        return False
    covered = _covered("DejaVuSans.ttf")
    return all(ord(ch) in covered or ch.isspace() for ch in text)


def receipt_png(reference: str, code: str, labels: tuple[str, str], direction: str) -> bytes:
    """A small grey-scale PNG of `reference` and `code`, each under its label when the
    label can be drawn; `direction` ("ltr" or "rtl") places the labels."""
    lines: list[tuple[str, ImageFont.FreeTypeFont, bool]] = []
    for label, value in zip(labels, (reference, code), strict=True):
        if label and _drawable(label, direction):
            lines.append((label, _font("DejaVuSans.ttf", LABEL_SIZE), True))
        lines.append((value, _font("DejaVuSansMono-Bold.ttf", VALUE_SIZE), False))
    heights = [font.size + 18 + (0 if is_label else 14) for _, font, is_label in lines]
    image = Image.new("L", (WIDTH, MARGIN * 2 + sum(heights)), PAPER)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for (text, font, is_label), height in zip(lines, heights, strict=True):
        options = {"direction": direction} if is_label and direction == "rtl" else {}
        width = draw.textlength(text, font=font, **options)
        x = WIDTH - MARGIN - width if is_label and direction == "rtl" else MARGIN
        if not is_label:
            x = (WIDTH - width) / 2
        draw.text((x, y), text, fill=INK, font=font, **options)
        y += height
    draw.rectangle((4, 4, WIDTH - 5, image.height - 5), outline=INK, width=2)
    out = io.BytesIO()
    image.quantize(8).save(out, format="PNG", optimize=True)
    return out.getvalue()
