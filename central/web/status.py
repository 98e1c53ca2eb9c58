"""The applicant's status page, `/cek` (public): with the registration number from the receipt
and their birth date, an applicant sees from a phone whether the recording reached the centre,
was accepted, or must be recorded again, and where to go then.

What protects the applicants' data:
- one indexed query on `records.lookup` = SHA-256("v1|regno|birth date"): an unknown number
  and a wrong birth date are the same miss, so they get the same page, byte for byte, in the
  same time (nothing else differs on the way: both count against the same limits);
- at most `WebSettings.rate_per_client` attempts per address and `rate_per_regno` per number
  in each `rate_window_s` window, counted in the database for every process
  (central/web/ratelimit.py); malformed attempts count too;
- the answer shows the masked NIK and the name's initials, never more; nothing typed here is
  logged (uvicorn's access log is off; this module logs nothing);
- a form post, no script: it works in any phone browser, with JavaScript off too.

The QR code on the receipt holds `<public url>/<regno>` (kiosk/app/receipts.py
`qr_content`): `GET /cek/<regno>` is the form with the number filled in, as is `?no=`."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from central.database import Database, DatabaseUnavailable
from central.db_types import status_lookup
from central.storage import CentralStore
from central.web.forms import BadForm, read_form
from central.web.ratelimit import Limit, RateLimiter, secret_from_key
from central.web.render import WORDS, page
from central.web.settings import WebSettings

WORDS.update({
    "cek.title": ("Cek status perekaman KTP-el", "Check your e-KTP recording"),
    # the page's heading: "KTP-el" kept on one line (a non-breaking hyphen) on a narrow phone
    "cek.heading": ("Cek status perekaman KTP\u2011el", "Check your e\u2011KTP recording"),
    "cek.intro": ("Masukkan nomor registrasi dari tanda bukti perekaman dan tanggal lahir Anda.",
                  "Enter the registration number from your recording receipt and your date "
                  "of birth."),
    "cek.no": ("Nomor registrasi", "Registration number"),
    "cek.birth": ("Tanggal lahir", "Date of birth"),
    "cek.birth.hint": ("Bila tidak muncul pilihan tanggal, tulis seperti 17-08-1990.",
                       "If no date picker appears, type it like 17-08-1990 (day-month-year)."),
    "cek.submit": ("Cek", "Check"),
    "cek.again": ("Cek nomor lain", "Check another number"),
    "cek.privacy": ("Halaman ini hanya menampilkan inisial nama dan NIK yang disamarkan. "
                    "Jangan bagikan tanda bukti Anda kepada orang lain.",
                    "This page shows only the name's initials and a masked NIK. Do not share "
                    "your receipt with others."),
    "cek.err.no.empty": ("Isi nomor registrasi dari tanda bukti.",
                         "Enter the registration number from the receipt."),
    "cek.err.no.bad": ("Nomor registrasi tidak dikenali. Tulis seperti pada tanda bukti, "
                       "misalnya 627104\u201101\u201120261207\u2011017.",
                       "That registration number is not recognised. Type it as printed on the "
                       "receipt, for example 627104\u201101\u201120261207\u2011017."),
    "cek.err.birth.empty": ("Isi tanggal lahir Anda.", "Enter your date of birth."),
    "cek.err.birth.bad": ("Tanggal lahir tidak dikenali. Pilih tanggalnya, atau tulis seperti "
                          "17-08-1990 (tanggal-bulan-tahun).",
                          "That date of birth is not recognised. Pick the date, or type it like "
                          "17-08-1990 (day-month-year)."),
    "cek.nf.title": ("Belum ditemukan", "Not found yet"),
    "cek.nf.body": ("Belum ada rekaman dengan nomor registrasi dan tanggal lahir ini di pusat. "
                    "Kemungkinan:",
                    "The centre holds no recording with this registration number and date of "
                    "birth. Possibly:"),
    "cek.nf.typo": ("nomor registrasi atau tanggal lahir salah ketik: periksa lagi tanda bukti "
                    "Anda;", "the registration number or the date of birth was mistyped: check "
                    "your receipt again;"),
    "cek.nf.late": ("kantor kecamatan belum mengirim rekaman Anda ke pusat (rekaman dikirim "
                    "otomatis begitu jaringannya tersambung).",
                    "the kecamatan office has not yet sent your recording to the centre (it is "
                    "sent automatically as soon as its connection works)."),
    "cek.nf.next": ("Coba lagi besok. Bila 7 hari setelah perekaman masih belum ditemukan, "
                    "tanyakan ke kantor kecamatan tempat Anda direkam dengan membawa tanda bukti.",
                    "Try again tomorrow. If it is still not found 7 days after the recording, ask "
                    "at the kecamatan office that recorded you, bringing your receipt."),
    "cek.recv.title": ("Sedang diproses", "Being processed"),
    "cek.recv.body": ("Sudah diterima di pusat pada {when} dan sedang diproses.",
                      "Received at the centre on {when} and being processed."),
    "cek.recv.next": ("Anda tidak perlu melakukan apa-apa sekarang. Cek lagi beberapa hari lagi.",
                      "You need to do nothing now. Check again in a few days."),
    "cek.ok.title": ("Diterima", "Accepted"),
    "cek.ok.body": ("Rekaman Anda sudah diperiksa dan diterima. Anda tidak perlu direkam ulang.",
                    "Your recording was checked and accepted. You do not need to be recorded "
                    "again."),
    "cek.bad.title": ("Perlu rekam ulang", "Needs re-recording"),
    "cek.bad.body": ("Rekaman Anda tidak dapat diterima dan perlu direkam ulang.",
                     "Your recording could not be accepted and must be recorded again."),
    "cek.bad.reason": ("Alasan", "Reason"),
    "cek.bad.noreason": ("(tidak disebutkan)", "(not given)"),
    "cek.bad.go": ("Datang ke {office} dengan membawa tanda bukti ini.",
                   "Go to {office}, bringing this receipt."),
    "cek.bad.go.unknown": ("Datang ke kantor kecamatan tempat Anda direkam dengan membawa tanda "
                           "bukti ini.", "Go to the kecamatan office that recorded you, bringing "
                           "this receipt."),
    "cek.row.at": ("Sampai di pusat", "Reached the centre"),
    "cek.row.name": ("Atas nama (inisial)", "Name (initials)"),
    "cek.row.nik": ("NIK", "NIK"),
    "cek.limited.title": ("Tunggu sebentar", "Please wait"),
    "cek.limited.body": ("Terlalu banyak percobaan. Coba lagi dalam {n} menit.",
                         "Too many attempts. Try again in {n} minutes."),
    "cek.limited.why": ("Untuk melindungi data pemohon, setiap nomor registrasi dan setiap "
                        "perangkat hanya dapat dicek beberapa kali dalam {window} menit.",
                        "To protect applicants' data, each registration number and each device "
                        "can be checked only a few times in {window} minutes."),
    "cek.busy": ("Layanan sedang sibuk. Coba lagi sebentar lagi.",
                 "The service is busy. Please try again in a moment."),
})
# What people type: digits with or without separators ("627104-01-20261207-017",
# "627104 01 20261207 017", "6271040120261207017"); kept in the form stations print.
_SEPARATORS = re.compile(r"[\s./_\-\u2010-\u2015]+")
_REGNO = re.compile(r"(\d{6})(\d{2})(\d{8})(\d{3,5})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")  # what <input type=date> submits
_DMY_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")  # typed without a date picker
MAX_FIELD = 40  # characters of a field kept to fill the form again


def parse_regno(text: str) -> str | None:
    """The registration number in the stations' form, or None for anything else."""
    m = _REGNO.fullmatch(_SEPARATORS.sub("", text))
    return "-".join(m.groups()) if m else None


def parse_birth_date(text: str, today: dt.date | None = None) -> str | None:
    """YYYY-MM-DD from YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY or DD.MM.YYYY; None for anything
    that is not a real date between 1900 and today."""
    text = text.strip()
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = m.groups()
    elif m := _DMY_DATE.fullmatch(text):
        day, month, year = m.groups()
    else:
        return None
    try:
        born = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    latest = (today or dt.date.today()) + dt.timedelta(days=1)  # WIT is ahead of UTC
    return born.isoformat() if dt.date(1900, 1, 1) <= born <= latest else None


def mask_nik(nik: str) -> str:
    """'627104********17': the first 6 and last 2 digits (as the station's receipt shows)."""
    return nik[:6] + "*" * (len(nik) - 8) + nik[-2:] if len(nik) > 8 else "*" * len(nik)


def initials(name: str) -> str:
    """'B. S.' for 'BUDI SANTOSO': the first letter of each word, nothing more."""
    letters = [w[0].upper() for w in (re.sub(r"[^\w\s]", "", part) for part in name.split())
               if w]
    return " ".join(f"{c}." for c in letters) or "-"


def _zone(name: object) -> str | None:
    """An IANA zone the station reported, when it is one (times fall back to WIB)."""
    if not isinstance(name, str) or not name:
        return None
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):
        return None
    return name


@dataclass(frozen=True)
class Found:
    """What the page may say of a record: never more than the masked NIK and initials."""

    regno: str
    status: str  # received | accepted | rejected
    reason: str | None
    received_at: str
    initials: str
    nik_masked: str
    office: str | None
    zone: str | None


def find_record(db: Database, regno: str, birth_date: str) -> Found | None:
    """The newest record with this number and birth date: ONE indexed query on the lookup key
    (with the recording station's office and zone from its latest report); None otherwise."""
    with db.read() as tx:
        row = tx.execute(
            "SELECT r.regno, r.status, r.reject_reason, r.received_at, r.manifest, "
            "sr.office, sr.timezone FROM records r "
            "LEFT JOIN station_reports sr ON sr.station = r.station "
            "WHERE r.lookup = ? ORDER BY r.seq DESC LIMIT 1",
            [status_lookup(regno, birth_date)]).fetchone()
    if row is None:
        return None
    applicant = json.loads(bytes(row[4])).get("applicant") or {}
    nik, nama = applicant.get("nik"), applicant.get("nama")
    return Found(
        regno=row[0], status=row[1], reason=row[2], received_at=row[3],
        initials=initials(nama) if isinstance(nama, str) else "-",
        nik_masked=mask_nik(nik) if isinstance(nik, str) else "-",
        office=row[5] or None, zone=_zone(row[6]))


@dataclass
class Outcome:
    """One attempt's page: the HTTP status and what the template shows."""

    status: int = 200
    state: str = ""  # "" (the form again), not_found, found, limited, busy
    error: str | None = None
    found: Found | None = None
    minutes: int = 0
    headers: dict[str, str] | None = None


class StatusPage:
    """The page's decisions, apart from HTTP: validate, count, look up."""

    def __init__(self, store: CentralStore, web: WebSettings) -> None:
        self.db, self.web = store.db, web
        self.limiter = RateLimiter(store.db, secret_from_key(store.private_key),
                                   web.rate_window_s)

    async def attempt(self, client: str, number: str, birth: str) -> Outcome:
        """Count the attempt (the address always, the number once it reads as one), then
        answer: over a limit, a malformed field, not found, or the record as it stands."""
        regno, born = parse_regno(number), parse_birth_date(birth)
        limits = [Limit("client", client, self.web.rate_per_client)]
        if regno:
            limits.append(Limit("regno", regno, self.web.rate_per_regno))
        verdict = await self.limiter.hit_async(limits)
        if not verdict.allowed:
            return Outcome(429, "limited", minutes=verdict.minutes,
                           headers={"retry-after": str(verdict.retry_after)})
        if regno is None:
            return Outcome(400, error="cek.err.no.bad" if number.strip() else "cek.err.no.empty")
        if born is None:
            return Outcome(400, error="cek.err.birth.bad" if birth.strip()
                           else "cek.err.birth.empty")
        if self.db.dialect == "sqlite":  # a read in WAL mode waits for no writer: a thread
            found = find_record(self.db, regno, born)  # hop would cost more than the read
        else:
            found = await run_in_threadpool(find_record, self.db, regno, born)
        return Outcome(state="found" if found else "not_found", found=found)


def add_routes(api: FastAPI, store: CentralStore, web: WebSettings) -> None:
    """`GET /cek` (the form; `?no=` fills the number in), `GET /cek/<regno>` (the receipt's QR
    code), `POST /cek` (the answer)."""
    status_page = StatusPage(store, web)

    def form(request: Request, number: str = "", birth: str = "", outcome: Outcome | None = None
             ) -> HTMLResponse:
        outcome = outcome or Outcome()
        shown = parse_regno(number) or number
        return page(request, "cek.html", status=outcome.status, headers=outcome.headers,
                    no=shown[:MAX_FIELD], birth=birth[:MAX_FIELD], outcome=outcome,
                    today=dt.date.today().isoformat(), window=max(1, web.rate_window_s // 60))

    @api.get("/cek", include_in_schema=False, response_class=HTMLResponse)
    async def cek_form(request: Request) -> HTMLResponse:
        """The form, the number filled in from `?no=` when given."""
        return form(request, request.query_params.get("no", ""))

    @api.get("/cek/{regno}", include_in_schema=False, response_class=HTMLResponse)
    async def cek_prefilled(request: Request, regno: str) -> HTMLResponse:
        """The form with the number of the receipt whose QR code was scanned."""
        return form(request, regno if parse_regno(regno) else "")

    @api.post("/cek", include_in_schema=False, response_class=HTMLResponse)
    async def cek_answer(request: Request) -> HTMLResponse:
        """The answer for the number and birth date posted (form fields `no`, `lahir`)."""
        try:
            fields = await read_form(request)
        except BadForm:
            return form(request, outcome=Outcome(400, error="form.bad"))
        number, birth = fields.get("no", "")[:200], fields.get("lahir", "")[:200]
        client = request.client.host if request.client else "unknown"
        try:
            outcome = await status_page.attempt(client, number, birth)
        except DatabaseUnavailable:
            outcome = Outcome(503, "busy", headers={"retry-after": "5"})
        if outcome.state in ("found", "not_found"):
            number = birth = ""  # an answer echoes nothing typed: a miss is one page
        return form(request, number, birth, outcome)

