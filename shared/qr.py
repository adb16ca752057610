"""QR codes of URLs, as PNG bytes or inlineable SVG markup.

Used by the grid's printed rosters (report a hazard in this place) and the education
service's sign-in posters (check in to this activity).
"""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from qrcode.image.base import BaseImage
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

# M (15 % recovery) survives a poster that is creased, stained or partly covered.
_QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def _qr(url: str, image_factory: type[BaseImage]) -> BaseImage:
    code = qrcode.QRCode(
        error_correction=_QR_ERROR_CORRECTION, border=4, image_factory=image_factory
    )
    code.add_data(url)
    code.make(fit=True)
    return code.make_image()


def qr_png(url: str) -> bytes:
    buf = io.BytesIO()
    _qr(url, PilImage).save(buf, format="PNG")
    return buf.getvalue()


def qr_svg(url: str) -> str:
    # SvgPathImage: one <path>, unprefixed tags and a viewBox, so it can be inlined in HTML
    # and resized by CSS. to_string() never writes an XML declaration.
    return _qr(url, SvgPathImage).to_string(encoding="unicode")
