"""A QR code as an SVG data URI: the minutes print one that leads to their verification page, and the
second factor's enrolment shows one for the authenticator app to scan."""

import base64

import qrcode
import qrcode.image.svg


def qr_code_svg(url: str) -> str:
    """`url` as a QR code, an SVG data URI (vector: sharp at any print size)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()
