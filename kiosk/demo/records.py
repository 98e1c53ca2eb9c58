"""Synthetic, complete recordings for demos, benchmarks and tests (`kiosk demo-data`).

Applicants are invented: valid NIKs for the station's kecamatan that agree with the birth date
and sex, Indonesian names, a portrait from the shipped public-domain photo, ten ridge-pattern
fingers as ISO/IEC 19794-4 WSQ records and a signature (PNG + strokes).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

import cv2
import numpy as np

from kiosk.devices import iso19794
from kiosk.devices.signature import render_strokes
from kiosk.devices.sim import synthetic
from kiosk.domain.applicant import OCCUPATIONS, RELIGIONS, Applicant
from kiosk.domain.nik import FEMALE, MALE, make_nik
from kiosk.domain.recording import (
    FINGER_NAMES,
    PHOTO,
    SIGNATURE_PNG,
    SIGNATURE_STROKES,
    Blob,
    Recording,
    finger_kind,
)
from kiosk.domain.regions import RegionTable
from kiosk.paths import RESOURCES

MALE_NAMES = (
    "BUDI",
    "AGUS",
    "ANDI",
    "RUDI",
    "HENDRA",
    "YOHANES",
    "DEDI",
    "EKO",
    "RIZKY",
    "FAJAR",
    "MUHAMMAD",
    "AHMAD",
    "BAMBANG",
    "JOKO",
    "TRI",
    "DANIEL",
    "SURYA",
    "ARIF",
    "WAHYU",
    "IMAM",
)
FEMALE_NAMES = (
    "SITI",
    "DEWI",
    "SRI",
    "RINA",
    "AYU",
    "NUR",
    "FITRI",
    "WULAN",
    "MARIA",
    "PUTRI",
    "LESTARI",
    "INDAH",
    "RATNA",
    "YULIANA",
    "NOVITA",
    "RAHMAWATI",
    "ANISA",
    "DIAN",
    "SARI",
    "MEGA",
)
FAMILY_NAMES = (
    "SANTOSO",
    "PRATAMA",
    "SAPUTRA",
    "WIJAYA",
    "HIDAYAT",
    "SETIAWAN",
    "KURNIAWAN",
    "NUGROHO",
    "SIHOMBING",
    "SIMANJUNTAK",
    "TAMBUNAN",
    "LUBIS",
    "HARAHAP",
    "RAHMAN",
    "DJAHAN",
    "BAUN",
    "MIHING",
    "ANGKAL",
    "UMAR",
    "LESTARININGSIH",
)
PLACES = ("PALANGKA RAYA", "SAMPIT", "KUALA KAPUAS", "BANJARMASIN", "PANGKALAN BUN", "MUARA TEWEH")
STREETS = ("JL. RTA MILONO", "JL. G. OBOS", "JL. TJILIK RIWUT", "JL. KALIMANTAN", "JL. MAHIR MAHAR")


FINGER_POOL = 40  # distinct synthetic fingers; demo applicants draw from this pool


@lru_cache(maxsize=FINGER_POOL)
def _finger(pool_index: int) -> tuple[bytes, int]:
    """One synthetic finger (ISO record bytes without position, score): costly, so pooled."""
    img = synthetic.ridge_image(
        1000 + pool_index, quality=0.85 + 0.15 * ((pool_index * 7) % 10) / 10
    )
    return img.tobytes(), synthetic.quality_proxy(img)


@lru_cache(maxsize=1)
def _portrait() -> np.ndarray:
    img = cv2.imread(str(RESOURCES / "demo" / "eileen-collins-nasa.png"))
    if img is None:
        raise FileNotFoundError("resources/demo/eileen-collins-nasa.png")
    return img


def demo_photo(rng: np.random.Generator) -> bytes:
    """A 3:4 card portrait (JPEG) cut from the shipped photo, lightly varied per applicant."""
    img = _portrait()
    # face at about (177, 66, 95, 95): a 3:4 window around it, jittered
    cx = 224 + int(rng.integers(-6, 7))
    cy = 120 + int(rng.integers(-6, 7))
    w, h = 180, 240
    crop = img[max(0, cy - h // 2) : cy + h // 2, max(0, cx - w // 2) : cx + w // 2]
    crop = cv2.resize(crop, (413, 551), interpolation=cv2.INTER_CUBIC)
    crop = cv2.convertScaleAbs(
        crop, alpha=float(rng.uniform(0.95, 1.05)), beta=float(rng.uniform(-6, 6))
    )
    ok, jpg = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return jpg.tobytes()


def demo_applicant(
    rng: np.random.Generator, kecamatan: str, regions: RegionTable, today: dt.date, serial: int
) -> Applicant:
    sex = MALE if rng.random() < 0.5 else FEMALE
    age_days = int(rng.integers(17 * 366, 80 * 365))
    birth = today - dt.timedelta(days=age_days)
    first = rng.choice(MALE_NAMES if sex == MALE else FEMALE_NAMES)
    name = f"{first} {rng.choice(FAMILY_NAMES)}"
    kelurahan = regions.children(kecamatan)
    return Applicant(
        nik=make_nik(kecamatan, birth, sex, serial),
        nama=name,
        tempat_lahir=str(rng.choice(PLACES)),
        tanggal_lahir=birth,
        jenis_kelamin=sex,
        golongan_darah=str(rng.choice(["A", "B", "AB", "O", "TIDAK TAHU"])),
        alamat=f"{rng.choice(STREETS)} NO. {int(rng.integers(1, 200))}",
        rt=f"{int(rng.integers(1, 20)):03d}",
        rw=f"{int(rng.integers(1, 10)):03d}",
        kecamatan=kecamatan,
        kelurahan=str(rng.choice(kelurahan).compact) if kelurahan else "",
        agama=str(rng.choice(RELIGIONS[:6])),
        status_perkawinan=str(rng.choice(["BELUM KAWIN", "KAWIN", "KAWIN", "CERAI MATI"])),
        pekerjaan=str(rng.choice(OCCUPATIONS[:20])),
        telepon=f"08{int(rng.integers(10**9, 10**10))}" if rng.random() < 0.7 else "",
    )


def demo_recording(seed: int, kecamatan: str, regions: RegionTable, today: dt.date) -> Recording:
    """One complete synthetic recording."""
    rng = np.random.default_rng(seed)
    applicant = demo_applicant(rng, kecamatan, regions, today, serial=1 + seed % 9999)
    blobs = [Blob(PHOTO, demo_photo(rng))]
    quality: dict[str, object] = {"face": {"passed": True}}
    for pos in FINGER_NAMES:
        raw, score = _finger(int(rng.integers(0, FINGER_POOL)))
        img = np.frombuffer(raw, np.uint8).reshape(synthetic.FINGER_H, synthetic.FINGER_W)
        blobs.append(Blob(finger_kind(pos), iso19794.encode(pos, score, img)))
        quality[finger_kind(pos)] = score
    strokes = synthetic.signature_strokes(seed)
    ok, png = cv2.imencode(".png", render_strokes(strokes))
    assert ok
    blobs.append(Blob(SIGNATURE_PNG, png.tobytes()))
    stroke_json = [[[p.x, p.y, p.t, p.pressure] for p in s] for s in strokes]
    blobs.append(
        Blob(SIGNATURE_STROKES, json.dumps({"w": 600, "h": 200, "strokes": stroke_json}).encode())
    )
    return Recording(applicant=applicant, blobs=blobs, quality=quality)
