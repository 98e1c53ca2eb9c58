"""ISO/IEC 19794-4 finger image records ("FIR\\0"), 2005 ("010\\0") and 2011 ("020\\0") editions.

Why both: MOSIP SBI 0.9.5 registration devices send 2011 records holding a JPEG 2000 lossless
image (MOSIP "Biometric Image Specification"); older and authentication paths send WSQ, and the
station's own earlier records are 2005/WSQ. `decode` reads either, `describe` reads only the
headers (cheap checks by the SBI client), `encode` writes either (default: what a registration
device sends, 2011 + JPEG 2000 lossless, bit-exact on decode).

Layouts (all integers big-endian):

- 2005: general header 32 bytes = magic, version, 6-byte record length, capture device id (2),
  acquisition level (2), finger count (1), scale units (1), scan ppi h/v (2+2), image ppi h/v
  (2+2), bit depth (1), compression (1), reserved (2); then per finger view a 14-byte header =
  4-byte view length (header + image), position, view count, view number, quality, impression
  type, width (2), height (2), reserved (1), then the image. Cross-checked with JMRTD's
  ``org.jmrtd.lds.iso19794.FingerInfo`` / ``FingerImageInfo`` (ISO/IEC 19794-4:2005 Table 2).
- 2011: general header 16 bytes = magic, version, 4-byte record length, representation count
  (2), certification flag (1), distinct finger positions (1); then per representation: 4-byte
  length, capture date-time (year 2, month, day, hour, minute, second, millisecond 2), device
  technology id (1), vendor id (2), type id (2), quality block count + 5-byte blocks (score,
  algorithm vendor id 2, algorithm id 2), [certification block count + 3-byte blocks when the
  flag is 1], position, representation number, scale units, capture ppi h/v, image ppi h/v,
  bit depth, compression, impression type, width (2), height (2), 4-byte image length, image,
  then optional extended data blocks (segmentation, annotation, comment) up to the length.
  Cross-checked with MOSIP bio-utils ``finger.GeneralHeader`` / ``RepresentationHeader`` /
  ``FingerQualityBlock`` / ``RepresentationBody`` and the MockMDS registration records (which
  set the certification flag, carry two certification blocks and 60 bytes after the image).

Compression codes differ by edition. 2005 (ISO/IEC 19794-4:2005 Table 3, as in JMRTD
``FingerInfo.COMPRESSION_*``): 0 raw, 1 bit-packed, 2 WSQ, 3 JPEG, 4 JPEG 2000, 5 PNG. 2011
(ISO/IEC 19794-4:2011 Table 9, as in bio-utils ``FingerImageCompressionType``): 0 raw,
1 bit-packed, 2 WSQ, 3 JPEG, 4 JPEG 2000 lossy, 5 JPEG 2000 lossless, 6 PNG.

Limits, on purpose: 8-bit grey images only; bit-packed images are refused; a record with several
finger views/representations is read as its first one (`RecordInfo.representations` says how
many there were), since slap scanners send one record per finger.
WSQ images are decoded in a forked child: fuzzing showed the NBIS codec under the `wsq` package
kills the process (SIGSEGV, abort) on some corrupt Huffman tables.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import io
import os
import select
import signal
import struct
import time
from dataclasses import dataclass

import numpy as np
import wsq  # noqa: F401  (registers the WSQ codec with Pillow)
from PIL import Image

FORMAT_ID = b"FIR\x00"
VERSION_2005 = b"010\x00"
VERSION_2011 = b"020\x00"
EDITIONS = {VERSION_2005: "2005", VERSION_2011: "2011"}

GENERAL_HEADER_2005 = struct.Struct(">4s4s6sHHBBHHHHBBH")  # 32 bytes
FINGER_HEADER_2005 = struct.Struct(">IBBBBBHHB")  # 14 bytes
GENERAL_HEADER_2011 = struct.Struct(">4s4sIHBB")  # 16 bytes
REPRESENTATION_START_2011 = struct.Struct(">IHBBBBBHBHHB")  # 19: length .. quality block count
QUALITY_BLOCK_2011 = struct.Struct(">BHH")  # 5: score, algorithm vendor id, algorithm id
CERTIFICATION_BLOCK_SIZE_2011 = 3  # authority id (2), scheme id (1)
REPRESENTATION_END_2011 = struct.Struct(">BBBHHHHBBBHHI")  # 22: position .. image length

COMPRESSION_RAW = 0
COMPRESSION_WSQ = 2  # the same code in both editions
COMPRESSION_CODES_2005 = {0: "raw", 1: "bitpacked", 2: "wsq", 3: "jpeg", 4: "jpeg2000", 5: "png"}
COMPRESSION_CODES_2011 = {0: "raw", 1: "bitpacked", 2: "wsq", 3: "jpeg", 4: "jpeg2000",
                          5: "jpeg2000_lossless", 6: "png"}
IMPRESSION_LIVE_PLAIN = 0
SCALE_PPI, SCALE_PPCM = 1, 2
NO_QUALITY = 255  # 2011: no quality block; both editions: "failed attempt"
WSQ_TIMEOUT_S = 10.0  # a 500 ppi finger decodes in well under 0.1 s

_PIL_FORMATS = {"wsq": "WSQ", "jpeg": "JPEG", "jpeg2000": "JPEG2000",
                "jpeg2000_lossless": "JPEG2000", "png": "PNG"}


class InvalidFingerRecord(ValueError):
    """Bytes that are not an ISO/IEC 19794-4 record this station can read (message says why)."""


@dataclass(frozen=True)
class FingerImage:
    """One decoded finger: position 0-10 (ISO codes), quality 0-100 (255 none/failed), pixels."""

    position: int
    quality: int
    pixels: np.ndarray
    ppi: int = 500
    edition: str = "2011"
    compression: str = "jpeg2000_lossless"


@dataclass(frozen=True)
class RecordInfo:
    """What a record's headers say, read without decoding its image.

    `image_offset`/`image_length` locate the embedded image (WSQ/JP2/PNG/JPEG bytes or raw
    pixels) inside the record; `representations` counts finger views in the record (only the
    first is described); `captured_at` is the 2011 capture time in UTC (None for 2005, or when
    the field is not a valid date).
    """

    edition: str
    compression: str
    position: int
    quality: int
    width: int
    height: int
    ppi: int
    image_offset: int
    image_length: int
    representations: int = 1
    captured_at: dt.datetime | None = None


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise InvalidFingerRecord(message)


def _ppi(units: int, rate: int) -> int:
    _need(units in (SCALE_PPI, SCALE_PPCM),
          f"scale units code {units} is neither 1 (ppi) nor 2 (ppcm)")
    _need(rate > 0, "the image sampling rate is zero")
    return rate if units == SCALE_PPI else round(rate * 2.54)


def _compression(codes: dict[int, str], code: int, edition: str) -> str:
    _need(code in codes, f"compression code {code} is not defined by ISO/IEC 19794-4:{edition}")
    _need(codes[code] != "bitpacked", "bit-packed uncompressed images are not supported")
    return codes[code]


def _check_image(name: str, width: int, height: int, length: int) -> None:
    _need(width > 0 and height > 0, f"the image size in the header is {width}x{height}")
    _need(length > 0, "the record holds no image data")
    if name == "raw":
        _need(length == width * height,
              f"uncompressed {width}x{height} image needs {width * height} bytes, "
              f"the record has {length}")


def _walk(record: bytes, start: int, count: int, minimum: int, what: str) -> int:
    """Check the `count` length-prefixed blocks from `start` tile the record exactly."""
    _need(count >= 1, f"the record says it holds {count} {what}s")
    off, first = start, 0
    for i in range(count):
        _need(off + 4 <= len(record), f"record ends before {what} {i + 1} of {count} starts")
        length = int.from_bytes(record[off:off + 4], "big")
        _need(length >= minimum, f"{what} {i + 1} claims {length} bytes, less than its header")
        _need(off + length <= len(record),
              f"{what} {i + 1} claims {length} bytes but only {len(record) - off} remain")
        first = first or length
        off += length
    _need(off == len(record), f"{len(record) - off} stray bytes after the last {what}")
    return first


def _describe_2005(record: bytes) -> RecordInfo:
    g, f = GENERAL_HEADER_2005, FINGER_HEADER_2005
    _need(len(record) >= g.size + f.size,
          f"record is {len(record)} bytes, shorter than the 2005 headers ({g.size + f.size})")
    (_m, _v, length, _dev, _lvl, count, units, _sx, _sy, ix, _iy, depth, comp,
     _r) = g.unpack_from(record)
    length = int.from_bytes(length, "big")
    _need(length == len(record), f"header says the record is {length} bytes, it is {len(record)}")
    _need(depth == 8, f"bit depth {depth} is not supported (8-bit grey only)")
    name = _compression(COMPRESSION_CODES_2005, comp, "2005")
    view_len = _walk(record, g.size, count, f.size, "finger view")
    _l, pos, _views, _view, quality, _imp, w, h, _r2 = f.unpack_from(record, g.size)
    _check_image(name, w, h, view_len - f.size)
    return RecordInfo("2005", name, pos, quality, w, h, _ppi(units, ix), g.size + f.size,
                      view_len - f.size, count)


def _capture_time(year: int, month: int, day: int, hour: int, minute: int, second: int,
                  ms: int) -> dt.datetime | None:
    try:
        return dt.datetime(year, month, day, hour, minute, second, ms * 1000, tzinfo=dt.UTC)
    except ValueError:  # unset (0xFF...) or nonsense fields: the time is not known
        return None


def _describe_2011(record: bytes) -> RecordInfo:
    g, a, b = GENERAL_HEADER_2011, REPRESENTATION_START_2011, REPRESENTATION_END_2011
    _need(len(record) >= g.size + a.size + b.size,
          f"record is {len(record)} bytes, shorter than the 2011 headers "
          f"({g.size + a.size + b.size})")
    _m, _v, length, count, cert_flag, _fingers = g.unpack_from(record)
    _need(length == len(record), f"header says the record is {length} bytes, it is {len(record)}")
    _need(cert_flag in (0, 1), f"certification flag is {cert_flag}, not 0 or 1")
    rep_len = _walk(record, g.size, count, a.size + b.size, "representation")
    rep = record[g.size:g.size + rep_len]
    _l, *when, _tech, _vendor, _type, n_quality = a.unpack_from(rep)
    off = a.size + QUALITY_BLOCK_2011.size * n_quality
    _need(off < len(rep), f"{n_quality} quality blocks run past the representation's end")
    quality = QUALITY_BLOCK_2011.unpack_from(rep, a.size)[0] if n_quality else NO_QUALITY
    if cert_flag:
        off += 1 + CERTIFICATION_BLOCK_SIZE_2011 * rep[off]
    _need(off + b.size <= len(rep), "certification blocks run past the representation's end")
    pos, _no, units, _cx, _cy, ix, _iy, depth, comp, _imp, w, h, image_len = b.unpack_from(rep, off)
    _need(depth == 8, f"bit depth {depth} is not supported (8-bit grey only)")
    name = _compression(COMPRESSION_CODES_2011, comp, "2011")
    image_at = off + b.size
    _need(image_at + image_len <= len(rep),
          f"image length {image_len} runs past the representation's end "
          f"({len(rep) - image_at} bytes left)")
    _check_image(name, w, h, image_len)
    return RecordInfo("2011", name, pos, quality, w, h, _ppi(units, ix), g.size + image_at,
                      image_len, count, _capture_time(*when))


def describe(record: bytes) -> RecordInfo:
    """Read and check a record's headers (lengths, codes, sizes) without decoding its image.

    Raises InvalidFingerRecord for everything `decode` would refuse except image bytes that
    fail to decode or decode to another size than the header's.
    """
    record = bytes(record)
    _need(len(record) >= 8, f"record is {len(record)} bytes, too short to be a finger record")
    _need(record[:4] == FORMAT_ID, f"format identifier is {record[:4]!r}, not 'FIR\\0'")
    _need(record[4:8] in EDITIONS,
          f"version {record[4:8]!r} is neither '010' (2005) nor '020' (2011)")
    return _describe_2005(record) if record[4:8] == VERSION_2005 else _describe_2011(record)


def _decode_pillow(info: RecordInfo, data: bytes) -> np.ndarray:
    label = info.compression.replace("_", " ").upper()
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[info.compression]]) as im:
            # Size and mode are known before the pixels are: refuse early, no decoding bombs.
            _need(im.size == (info.width, info.height),
                  f"the {label} image is {im.size[0]}x{im.size[1]}, the header says "
                  f"{info.width}x{info.height}")
            _need(im.mode == "L", f"the {label} image is not 8-bit grey (mode {im.mode})")
            im.load()
            return np.array(im, dtype=np.uint8)
    except InvalidFingerRecord:
        raise
    except Exception as exc:  # Pillow and the codecs raise many kinds on corrupt data
        raise InvalidFingerRecord(f"the {label} image does not decode: {exc}") from exc


def _wsq_child(info: RecordInfo, data: bytes, out: int) -> None:
    try:
        faulthandler.disable()  # a crash here is expected on bad data: no traceback dump
        try:
            reply = b"\x00" + _decode_pillow(info, data).tobytes()
        except InvalidFingerRecord as exc:
            reply = b"\x01" + str(exc).encode()
        with os.fdopen(out, "wb") as f:
            f.write(reply)
    finally:
        os._exit(0)


def _decode_wsq_isolated(info: RecordInfo, data: bytes) -> np.ndarray:
    """Run the WSQ codec (NBIS C code) in a forked child: corrupt tables crash it outright.

    A crash, a hang past WSQ_TIMEOUT_S or a short answer become InvalidFingerRecord instead of
    taking the station down. Where fork does not exist (Windows) the codec runs in-process.
    """
    if not hasattr(os, "fork"):
        return _decode_pillow(info, data)
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(rfd)
        _wsq_child(info, data, wfd)
    os.close(wfd)
    chunks, deadline = [], time.monotonic() + WSQ_TIMEOUT_S
    with os.fdopen(rfd, "rb", buffering=0) as f:
        while (left := deadline - time.monotonic()) > 0 and select.select([f], [], [], left)[0]:
            if not (chunk := f.read(1 << 16)):
                break
            chunks.append(chunk)
    if time.monotonic() >= deadline:
        os.kill(pid, signal.SIGKILL)
    _pid, status = os.waitpid(pid, 0)
    reply = b"".join(chunks)
    _need(status == 0 and reply[:1] in (b"\x00", b"\x01"),
          "the WSQ image does not decode: the decoder failed on it (corrupt WSQ data)")
    _need(reply[:1] == b"\x00", reply[1:].decode(errors="replace"))
    _need(len(reply) == 1 + info.width * info.height, "the WSQ decoder returned a short image")
    return np.frombuffer(reply, np.uint8, offset=1).reshape(info.height, info.width).copy()


def _decode_image(info: RecordInfo, data: bytes) -> np.ndarray:
    if info.compression == "raw":
        return np.frombuffer(data, np.uint8).reshape(info.height, info.width).copy()
    if info.compression == "wsq":
        return _decode_wsq_isolated(info, data)
    return _decode_pillow(info, data)


def decode(record: bytes) -> FingerImage:
    """Read a record of either edition and decode its (first) finger image to 8-bit pixels.

    WSQ, JPEG, JPEG 2000 (lossy or lossless), PNG and uncompressed images are read; bytes after
    the image inside a 2011 representation (extended data blocks) are ignored. With several
    views/representations only the first is decoded (see `describe(...).representations`).
    """
    record = bytes(record)
    info = describe(record)
    data = record[info.image_offset:info.image_offset + info.image_length]
    pixels = _decode_image(info, data)
    _need(pixels.shape == (info.height, info.width),
          "the decoded image size differs from the header")
    return FingerImage(info.position, info.quality, pixels, info.ppi, info.edition,
                       info.compression)


def _compress(pixels: np.ndarray, compression: str) -> bytes:
    if compression == "raw":
        return pixels.tobytes()
    buf = io.BytesIO()
    im = Image.fromarray(pixels, "L")
    if compression == "jpeg2000_lossless":  # reversible 5/3 wavelet, one layer: bit-exact
        im.save(buf, "JPEG2000", irreversible=False)
    elif compression == "jpeg2000":  # lossy 9/7 at 15:1, MOSIP's ceiling for auth images
        im.save(buf, "JPEG2000", irreversible=True, quality_mode="rates", quality_layers=[15])
    elif compression == "jpeg":
        im.save(buf, "JPEG", quality=90)
    else:
        im.save(buf, _PIL_FORMATS[compression])
    return buf.getvalue()


def _record_2005(position: int, quality: int, w: int, h: int, ppi: int, code: int,
                 image: bytes) -> bytes:
    level = {500: 31, 1000: 41}.get(ppi, 0)  # image acquisition setting level, 0 = unreported
    view_len = FINGER_HEADER_2005.size + len(image)
    total = GENERAL_HEADER_2005.size + view_len
    header = GENERAL_HEADER_2005.pack(FORMAT_ID, VERSION_2005, total.to_bytes(6, "big"), 0, level,
                                      1, SCALE_PPI, ppi, ppi, ppi, ppi, 8, code, 0)
    view = FINGER_HEADER_2005.pack(view_len, position, 1, 1, quality, IMPRESSION_LIVE_PLAIN,
                                   w, h, 0)
    return header + view + image


def _record_2011(position: int, quality: int, w: int, h: int, ppi: int, code: int,
                 image: bytes, when: dt.datetime) -> bytes:
    rep_len = (REPRESENTATION_START_2011.size + QUALITY_BLOCK_2011.size
               + REPRESENTATION_END_2011.size + len(image))
    start = REPRESENTATION_START_2011.pack(
        rep_len, when.year, when.month, when.day, when.hour, when.minute, when.second,
        when.microsecond // 1000, 0, 0, 0, 1)  # technology, vendor, type: 0 = unknown
    # Quality algorithm vendor/id 0: the station's score is its own proxy, not a registered one.
    quality_block = QUALITY_BLOCK_2011.pack(quality, 0, 0)
    end = REPRESENTATION_END_2011.pack(position, 0, SCALE_PPI, ppi, ppi, ppi, ppi, 8, code,
                                       IMPRESSION_LIVE_PLAIN, w, h, len(image))
    header = GENERAL_HEADER_2011.pack(FORMAT_ID, VERSION_2011, GENERAL_HEADER_2011.size + rep_len,
                                      1, 0, 1)
    return header + start + quality_block + end + image


def encode(position: int, quality: int, pixels: np.ndarray, ppi: int = 500, *,
           edition: str = "2011", compression: str = "jpeg2000_lossless",
           captured_at: dt.datetime | None = None) -> bytes:
    """Build a one-finger record; default is what a registration device sends (2011, JP2 lossless).

    `compression`: "jpeg2000_lossless" (2011 only), "jpeg2000" (lossy 15:1), "wsq", "jpeg",
    "png" or "raw". 2011 records get `captured_at` (naive means UTC; default now) as capture
    time, device ids 0 (unknown), one quality block, certification flag 0, live-scan plain.
    Raises ValueError for arguments a record cannot hold.
    """
    codes = {"2005": COMPRESSION_CODES_2005, "2011": COMPRESSION_CODES_2011}.get(edition)
    if codes is None:
        raise ValueError(f"edition must be '2005' or '2011', not {edition!r}")
    by_name = {n: c for c, n in codes.items() if n != "bitpacked"}
    if compression not in by_name:
        raise ValueError(f"compression {compression!r} cannot be written in a {edition} record "
                         f"(choose from {sorted(by_name)})")
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8 or pixels.ndim != 2:
        raise ValueError("finger image must be 2-D uint8")
    h, w = pixels.shape
    if not (0 < w < 65536 and 0 < h < 65536):
        raise ValueError(f"image size {w}x{h} does not fit the record")
    if not (0 <= position <= 255 and (0 <= quality <= 100 or quality == NO_QUALITY)):
        raise ValueError(f"position {position} or quality {quality} out of range")
    if not 0 < ppi < 65536:
        raise ValueError(f"ppi {ppi} out of range")
    image = _compress(np.ascontiguousarray(pixels), compression)
    if edition == "2005":
        return _record_2005(position, quality, w, h, ppi, by_name[compression], image)
    when = captured_at or dt.datetime.now(dt.UTC)
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    return _record_2011(position, quality, w, h, ppi, by_name[compression], image, when)
