"""ISO/IEC 19794-4:2005 finger image records ("FIR\\0"), one finger per record, WSQ-compressed."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
import wsq  # noqa: F401  (registers the WSQ codec with Pillow)
from PIL import Image

FORMAT_ID = b"FIR\x00"
VERSION = b"010\x00"
GENERAL_HEADER = struct.Struct(">4s4s6sHHBBHHHHBBH")  # 32 bytes; record length as 6 bytes
FINGER_HEADER = struct.Struct(">IBBBBBHHB")  # 14 bytes
COMPRESSION_WSQ = 2
IMPRESSION_LIVE_PLAIN = 0


class InvalidFingerRecord(ValueError):
    """Bytes that are not an ISO/IEC 19794-4 record this station can read."""


@dataclass(frozen=True)
class FingerImage:
    """One decoded finger: position 1-10, quality 0-100 (255 failed), 8-bit pixels."""

    position: int
    quality: int
    pixels: np.ndarray
    ppi: int = 500


def encode(position: int, quality: int, pixels: np.ndarray, ppi: int = 500) -> bytes:
    """Build the record with the image WSQ-compressed."""
    if pixels.dtype != np.uint8 or pixels.ndim != 2:
        raise ValueError("finger image must be 2-D uint8")
    buf = io.BytesIO()
    Image.fromarray(pixels, "L").save(buf, "WSQ")
    image = buf.getvalue()
    h, w = pixels.shape
    finger_len = FINGER_HEADER.size + len(image)
    total = GENERAL_HEADER.size + finger_len
    header = GENERAL_HEADER.pack(
        FORMAT_ID, VERSION, total.to_bytes(6, "big"), 0, 31, 1, 1, ppi, ppi, ppi, ppi, 8,
        COMPRESSION_WSQ, 0,
    )
    finger = FINGER_HEADER.pack(finger_len, position, 1, 1, quality, IMPRESSION_LIVE_PLAIN, w, h, 0)
    return header + finger + image


def decode(record: bytes) -> FingerImage:
    """Read a one-finger record back (WSQ or uncompressed)."""
    if len(record) < GENERAL_HEADER.size + FINGER_HEADER.size:
        raise InvalidFingerRecord("too short")
    (fmt, ver, length, _dev, _level, count, _units, _sx, _sy, ix, _iy, depth, comp, _r) = (
        GENERAL_HEADER.unpack_from(record, 0)
    )
    if fmt != FORMAT_ID or ver != VERSION:
        raise InvalidFingerRecord("not a FIR 010 record")
    if int.from_bytes(length, "big") != len(record):
        raise InvalidFingerRecord("record length does not match")
    if count != 1 or depth != 8:
        raise InvalidFingerRecord("only single 8-bit fingers are supported")
    flen, pos, _views, _view, quality, _imp, w, h, _r2 = FINGER_HEADER.unpack_from(
        record, GENERAL_HEADER.size
    )
    data = record[GENERAL_HEADER.size + FINGER_HEADER.size : GENERAL_HEADER.size + flen]
    if comp == COMPRESSION_WSQ:
        try:
            pixels = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
        except Exception as exc:  # the codec raises several kinds on corrupt data
            raise InvalidFingerRecord(f"WSQ data does not decode: {exc}") from exc
    elif comp == 0:
        pixels = np.frombuffer(data, np.uint8).reshape(h, w)
    else:
        raise InvalidFingerRecord(f"compression {comp} not supported")
    if pixels.shape != (h, w):
        raise InvalidFingerRecord("image size does not match the header")
    return FingerImage(pos, quality, pixels, ix)
