"""A visit's photo as evidence: checked to be an image, read for the time and place the camera wrote, shrunk to a
size that is enough to judge a storefront or a business card, stripped of its metadata, and fingerprinted.

The fingerprint is a difference hash (dHash): the picture shrunk to 9×8 grey pixels, one bit per pair of
neighbours (is the left one brighter?). The same photo uploaded again, even re-saved or resized, gives the same 64
bits; another photo almost never does. Ten lines over Pillow, rather than a library that would bring numpy, scipy
and PyWavelets along.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

MAX_UPLOAD_MEGABYTES = 15
LONGEST_SIDE = 1600
JPEG_QUALITY = 82
EXIF_IFD, GPS_IFD, DATE_TIME_ORIGINAL = 0x8769, 0x8825, 36867
# Pillow refuses larger images as a decompression bomb; a phone photo is far below.
Image.MAX_IMAGE_PIXELS = 80_000_000


@dataclass
class Photo:
    content: bytes
    width: int
    height: int
    fingerprint: str
    taken_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def read_photo(upload, zone: ZoneInfo) -> Photo:
    """Read an uploaded photo (a file-like object with a size), or say plainly why it cannot be used."""
    if upload.size > MAX_UPLOAD_MEGABYTES * 1024 * 1024:
        raise DomainError(_("The photo is larger than %(megabytes)s MB.") % {"megabytes": MAX_UPLOAD_MEGABYTES})
    try:
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise DomainError(_("This is not a photo we can read; take a JPEG or PNG picture.")) from None
    exif = image.getexif()
    taken_at = _taken_at(exif, zone)
    latitude, longitude = _place(exif)
    upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    buffer = io.BytesIO()
    upright.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif=: the stored copy keeps no metadata
    return Photo(
        content=buffer.getvalue(),
        width=upright.width,
        height=upright.height,
        fingerprint=fingerprint(upright),
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
    )


def fingerprint(image: Image.Image) -> str:
    """The photo's 64-bit difference hash, as 16 hex digits."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = list(small.get_flattened_data())
    bits = 0
    for row in range(8):
        for column in range(8):
            left, right = pixels[row * 9 + column], pixels[row * 9 + column + 1]
            bits = (bits << 1) | (left > right)
    return f"{bits:016x}"


def _taken_at(exif, zone: ZoneInfo) -> datetime | None:
    text = exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL)
    try:
        return datetime.strptime(str(text).strip(), "%Y:%m:%d %H:%M:%S").replace(tzinfo=zone) if text else None
    except ValueError:
        return None


def _place(exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(GPS_IFD)
    try:
        latitude = _degrees(gps[2], gps[1], "S")
        longitude = _degrees(gps[4], gps[3], "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}")


def _degrees(parts, reference, negative: str) -> float:
    degrees, minutes, seconds = (float(part) for part in parts)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if str(reference).upper().startswith(negative) else value
