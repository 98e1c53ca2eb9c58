"""Every word of the Disdukcapil console, in Bahasa Indonesia and English."""

from __future__ import annotations

from central.web.render import WORDS

WORDS.update({
    "c.site": ("Konsol Disdukcapil", "Disdukcapil console"),
    "c.nav.stations": ("Stasiun", "Stations"),
    "c.nav.records": ("Rekaman", "Records"),
    "c.nav.today": ("Hari ini", "Today"),
    "c.nav.blobs": ("Pemeriksaan berkas", "Blob checks"),
    "c.nav.logout": ("Keluar", "Log out"),
    "c.role.viewer": ("pemantau", "viewer"),
    "c.role.approver": ("pemutus", "approver"),
    "c.login.title": ("Masuk ke konsol", "Log in to the console"),
    "c.login.name": ("Nama petugas", "Officer name"),
    "c.login.password": ("Kata sandi", "Password"),
    "c.login.button": ("Masuk", "Log in"),
    "c.login.wrong": ("Nama atau kata sandi salah.", "Wrong name or password."),
    "c.login.locked": ("Terlalu banyak percobaan yang salah. Akun ini terkunci sampai {until}.",
                       "Too many wrong attempts. This account is locked until {until}."),
    "c.csrf": ("Permintaan ditolak: formulir ini kedaluwarsa atau bukan dari konsol. Muat "
               "ulang halaman lalu coba lagi.",
               "Request refused: this form has expired or did not come from the console. "
               "Reload the page and try again."),
    "c.forbidden": ("Hanya petugas pemutus (approver) yang boleh melakukan ini.",
                    "Only approvers may do this."),
    "c.notfound": ("Rekaman tidak ditemukan.", "No such record."),
    "st.title": ("Stasiun perekaman", "Recording stations"),
    "st.intro": ("Stasiun yang diam lebih dari {hours} jam kerja, atau yang antreannya lebih "
                 "tua dari {backlog} jam, ditandai.",
                 "Stations silent for more than {hours} working hours, or whose oldest unsent "
                 "record is older than {backlog} hours, are highlighted."),
    "st.name": ("Stasiun", "Station"),
    "st.office": ("Kantor", "Office"),
    "st.contact": ("Kontak terakhir", "Last contact"),
    "st.skew": ("Selisih jam", "Clock skew"),
    "st.software": ("Perangkat lunak", "Software"),
    "st.backlog": ("Antrean di stasiun", "Backlog at station"),
    "st.today": ("Diterima hari ini", "Received today"),
    "st.month": ("30 hari", "30 days"),
    "st.incidents": ("Insiden terbuka", "Open incidents"),
    "st.never": ("belum pernah melapor", "never reported"),
    "st.waiting": ("{n} menunggu, tertua {age}", "{n} waiting, oldest {age}"),
    "st.none": ("kosong", "empty"),
    "st.revoked": ("dicabut", "revoked"),
    "st.alert.silent": ("diam", "silent"),
    "st.alert.backlog": ("antrean lama", "old backlog"),
    "st.alert.incidents": ("insiden", "incidents"),
    "st.hours": ("{h} jam", "{h} h"),
    "st.seconds": ("{s} detik", "{s} s"),
    "r.title": ("Rekaman", "Records"),
    "r.regno": ("Nomor registrasi", "Registration number"),
    "r.station": ("Stasiun", "Station"),
    "r.day": ("Tanggal perekaman", "Recording day"),
    "r.any": ("semua", "any"),
    "r.search": ("Cari", "Search"),
    "r.received": ("Diterima di pusat", "Received at the centre"),
    "r.status": ("Status", "Status"),
    "r.none": ("Tidak ada rekaman yang cocok.", "No record matches."),
    "s.received": ("diterima, sedang diproses", "received, being processed"),
    "s.accepted": ("disetujui", "accepted"),
    "s.rejected": ("perlu rekam ulang", "needs re-recording"),
    "d.applicant": ("Pemohon", "Applicant"),
    "d.name": ("Nama", "Name"),
    "d.nik": ("NIK", "NIK"),
    "d.birth": ("Tanggal lahir", "Birth date"),
    "d.operator": ("Petugas perekam", "Recording operator"),
    "d.saved": ("Disimpan di stasiun", "Saved at the station"),
    "d.receipt": ("Tanda terima server", "Server receipt"),
    "d.seq": ("Nomor urut server", "Server sequence"),
    "d.hash": ("Hash manifes", "Manifest hash"),
    "d.complete": ("Lengkap: setiap berkas ada dan terverifikasi.",
                   "Complete: every blob is held and verified."),
    "d.incomplete": ("Belum lengkap: {n} berkas hilang atau rusak. Stasiun akan mengirim "
                     "ulang pada rekonsiliasi berikutnya.",
                     "Incomplete: {n} blobs missing or damaged. The station will send them "
                     "again at its next reconciliation."),
    "d.blobs": ("Berkas", "Blobs"),
    "d.kind": ("Jenis", "Kind"),
    "d.size": ("Ukuran", "Size"),
    "d.vouched": ("Dicek di penyimpanan", "Vouched for by the store"),
    "d.held": ("ada", "held"),
    "d.lost": ("hilang", "missing"),
    "d.problem.missing": ("hilang (pemeriksaan)", "missing (scrub)"),
    "d.problem.damaged": ("rusak (pemeriksaan)", "damaged (scrub)"),
    "d.decision": ("Keputusan", "Decision"),
    "d.accept": ("Setujui", "Accept"),
    "d.reject": ("Tolak: perlu rekam ulang", "Reject: needs re-recording"),
    "d.reason": ("Alasan penolakan (dibaca pemohon dan petugas kecamatan)",
                 "Reason for rejection (read by the applicant and the kecamatan office)"),
    "d.reason.needed": ("Tulis alasan penolakan (3-500 karakter).",
                        "Write the reason for the rejection (3-500 characters)."),
    "d.decided": ("Keputusan disimpan: {status}.", "Decision saved: {status}."),
    "d.photo": ("Lihat foto (dicatat di log audit)", "Show the photo (written to the audit log)"),
    "d.photo.none": ("Rekaman ini tidak punya foto di server.",
                     "This record has no photo on the server."),
    "d.photo.gone": ("Berkas foto tidak ada di penyimpanan saat ini.",
                     "The photo is not in the store right now."),
    "d.photo.shown": ("Foto ditampilkan untuk {officer}; tampilan ini dicatat.",
                      "Photo shown to {officer}; this view is on record."),
    "d.audit": ("Log audit rekaman ini", "This record's audit log"),
    "d.audit.none": ("Belum ada tindakan petugas.", "No officer action yet."),
    "a.login": ("masuk", "logged in"),
    "a.login.failed": ("gagal masuk", "failed login"),
    "a.login.locked": ("masuk ditolak: terkunci", "login refused: locked"),
    "a.logout": ("keluar", "logged out"),
    "a.photo.view": ("melihat foto", "viewed the photo"),
    "a.record.accept": ("menyetujui", "accepted"),
    "a.record.reject": ("menolak: perlu rekam ulang", "rejected: re-record"),
    "t.title": ("Hari ini", "Today"),
    "t.cap": ("Direkam / batas (laporan stasiun)", "Recorded / cap (station's report)"),
    "t.received": ("Diterima di pusat", "Received at the centre"),
    "t.rejected": ("Ditolak hari ini", "Rejected today"),
    "t.rejected.none": ("Tidak ada penolakan hari ini.", "No rejection today."),
    "t.waiting": ("Yang masih ditunggu pusat: {n} rekaman di {s} stasiun",
                  "What the centre still waits for: {n} records at {s} stations"),
    "t.waiting.none": ("Tidak ada antrean yang dilaporkan.", "No backlog reported."),
    "t.summary": ("{n} rekaman diterima hari ini.", "{n} records received today."),
    "b.title": ("Pemeriksaan berkas di server", "The server's blob checks"),
    "b.intro": ("Server membaca ulang setiap berkas dan memeriksa hash-nya. Berkas yang hilang "
                "atau rusak dikirim ulang oleh stasiun dari salinannya sendiri: pemohon tidak "
                "perlu datang lagi.",
                "The server re-reads every blob and checks its hash. A missing or damaged blob "
                "is sent again by its station from its own copy: nobody is recorded again."),
    "b.last": ("Pemeriksaan lengkap terakhir", "Last full pass"),
    "b.never": ("belum pernah", "never"),
    "b.open": ("Ditemukan, menunggu pengiriman ulang", "Found, waiting to be sent again"),
    "b.healed": ("Sudah dipulihkan", "Healed"),
    "b.none": ("Tidak ada.", "None."),
    "b.found": ("Ditemukan", "Found"),
    "b.healed_at": ("Dipulihkan", "Healed"),
    "b.problem": ("Masalah", "Problem"),
    "b.detail": ("Rekaman / stasiun", "Records / stations"),
    "b.pass": ("{blobs} berkas, {mb} MB, {rate} MB/detik; {missing} hilang, {damaged} rusak",
               "{blobs} blobs, {mb} MB, {rate} MB/s; {missing} missing, {damaged} damaged"),
    "b.current": ("Pemeriksaan berjalan: {pct}% ruang alamat", "Pass under way: {pct}% of the "
                  "address space"),
    "b.running": ("Sedang diperiksa oleh {holder} sejak {since}.",
                  "Being scrubbed by {holder} since {since}."),
    "b.idle": ("Tidak ada proses yang memeriksa sekarang (kiosk-central scrub, atau serve "
               "--scrub-mb-per-s).",
               "No process is scrubbing now (kiosk-central scrub, or serve --scrub-mb-per-s)."),
    "b.problem.missing": ("hilang", "missing"),
    "b.problem.damaged": ("rusak", "damaged"),
})

# --- the drive import (central/web/console_carry.py) ---------------------------------------
WORDS.update({
    "c.nav.carry": ("Flashdisk", "USB drive"),
    "a.carry.import": ("mengimpor flashdisk", "imported a drive"),
    "cy.title": ("Impor rekaman dari flashdisk", "Import records from a USB drive"),
    "cy.intro": ("Stasiun yang tidak tersambung ke pusat menyalin rekamannya ke flashdisk, dalam "
                 "folder yang namanya diawali ektp-carry-. Pilih folder itu di sini: "
                 "rekamannya disimpan di pusat persis seperti kiriman lewat jaringan, dan Anda "
                 "mendapat berkas tanda terima untuk dibawa kembali ke stasiun.",
                 "A station without a link to the centre copies its records onto a USB drive, "
                 "in a folder whose name starts with ektp-carry-. Choose that folder here: its "
                 "records are stored at the centre exactly as a delivery over the network, and "
                 "you get a receipts file to take back to the station."),
    "cy.folder": ("Folder ektp-carry-… di flashdisk", "The ektp-carry-… folder on the drive"),
    "cy.folder.help": ("Paling besar {gb} GB sekali unggah. Folder yang lebih besar diimpor "
                       "teknisi di server: kiosk-central carry import.",
                       "At most {gb} GB in one upload. A larger folder is imported on the server "
                       "by a technician: kiosk-central carry import."),
    "cy.files": ("Atau pilih berkasnya: index.json dan semua berkas .ektp di folder packets",
                 "Or choose its files: index.json and every .ektp file in its packets folder"),
    "cy.import": ("Impor", "Import"),
    "cy.viewer": ("Hanya petugas pemutus (approver) yang boleh mengimpor flashdisk. Tanda "
                  "terima impor sebelumnya tetap dapat Anda unduh di bawah.",
                  "Only approvers may import a drive. You can still download the receipts of "
                  "earlier imports below."),
    "cy.recent": ("Impor terakhir", "Recent imports"),
    "cy.recent.none": ("Belum ada impor.", "No import yet."),
    "cy.when": ("Waktu", "When"),
    "cy.folder.col": ("Folder", "Folder"),
    "cy.station": ("Stasiun", "Station"),
    "cy.officer": ("Petugas", "Officer"),
    "cy.outcome": ("Hasil", "Outcome"),
    "cy.counts": ("{imported} diimpor, {already} sudah ada, {refused} ditolak",
                  "{imported} imported, {already} already held, {refused} refused"),
    "cy.receipts.col": ("Tanda terima", "Receipts"),
    "cy.download": ("Unduh receipts.json", "Download receipts.json"),
    "cy.open": ("Lihat", "View"),
    "cy.result.title": ("Hasil impor flashdisk", "Drive import result"),
    "cy.summary": ("{imported} rekaman diimpor, {already} sudah ada di pusat, {refused} ditolak.",
                   "{imported} records imported, {already} already held, {refused} refused."),
    "cy.from": ("Folder {folder} dari stasiun {station}, diimpor oleh {officer}, {at}.",
                "Folder {folder} from station {station}, imported by {officer}, {at}."),
    "cy.station.unknown": ("tidak dikenal", "unknown"),
    "cy.next": ("Langkah berikutnya: tanda terima ke stasiun",
                "Next: the receipts back to the station"),
    "cy.receipts.how": ("Salin berkas ini ke folder {folder} di flashdisk, lalu baca tanda "
                        "terima di stasiun.",
                        "Copy this file into the {folder} folder on the drive, then read the "
                        "receipts at the station."),
    "cy.receipts.why": ("Sebelum tanda terima dibaca, stasiun menganggap rekaman ini belum "
                        "terkirim.",
                        "Until it reads the receipts, the station counts these records as not "
                        "delivered yet."),
    "cy.record": ("Rekaman", "Record"),
    "cy.detail": ("Keterangan", "Detail"),
    "cy.o.imported": ("diimpor", "imported"),
    "cy.o.already": ("sudah ada", "already held"),
    "cy.o.refused": ("ditolak", "refused"),
    "cy.o.imported.text": ("disimpan di pusat; tanda terimanya ada di receipts.json",
                           "stored at the centre; its receipt is in receipts.json"),
    "cy.o.already.text": ("sudah diterima sebelumnya (lewat jaringan atau impor lain); tanda "
                          "terima yang sama ada di receipts.json",
                          "received before (over the network or by an earlier import); the "
                          "same receipt is in receipts.json"),
    "cy.refused.note": ("Rekaman yang ditolak tetap aman di stasiun: stasiun mengirimnya lagi "
                        "lewat jaringan, atau dalam ekspor flashdisk berikutnya.",
                        "Refused records stay safe at the station: it sends them again over "
                        "the network, or in its next drive export."),
    "cy.empty": ("Folder ini tidak berisi rekaman.", "This folder holds no record."),
    "cy.gone": ("Impor ini tidak ada di server ini.", "No such import on this server."),
    "cy.problem.none": ("Pilih dulu folder ektp-carry-… dari flashdisk.",
                        "Choose the ektp-carry-… folder on the drive first."),
    "cy.problem.index": ("Ini bukan folder ekspor flashdisk: tidak ada index.json. Pilih folder "
                         "ektp-carry-… yang ditulis stasiun.",
                         "This is not a drive export: it has no index.json. Choose the "
                         "ektp-carry-… folder the station wrote."),
    "cy.problem.unreadable": ("index.json di folder ini tidak terbaca: bukan indeks ekspor "
                              "stasiun, atau rusak. Ekspor ulang di stasiun lalu coba lagi.",
                              "The index.json in this folder cannot be read: it is not a "
                              "station's export index, or it is damaged. Export again at the "
                              "station, then try again."),
    "cy.problem.two": ("Pilihan ini berisi lebih dari satu folder ekspor. Impor satu folder "
                       "ektp-carry-… setiap kali.",
                       "This choice holds more than one export folder. Import one "
                       "ektp-carry-… folder at a time."),
    "cy.problem.twice": ("Berkas {name} terpilih dua kali. Pilih satu folder ektp-carry-… "
                         "saja.",
                         "The file {name} was chosen twice. Choose one ektp-carry-… folder "
                         "only."),
    "cy.problem.foreign": ("Ini bukan folder ekspor flashdisk: {name} bukan bagiannya (sebuah "
                           "ekspor hanya berisi index.json dan berkas .ektp). Pilih folder "
                           "ektp-carry-… yang ditulis stasiun.",
                           "This is not a drive export: {name} is no part of one (an export "
                           "holds only index.json and .ektp files). Choose the ektp-carry-… "
                           "folder the station wrote."),
    "cy.problem.many": ("Terlalu banyak berkas dalam satu unggahan. Pilih satu folder "
                        "ektp-carry-… saja.",
                        "Too many files in one upload. Choose one ektp-carry-… folder only."),
    "cy.problem.space": ("Ruang penyimpanan server tidak cukup untuk unggahan ini. Tidak ada "
                         "yang diimpor; hubungi teknisi pusat.",
                         "The server has no room for this upload. Nothing was imported; call "
                         "the centre's technician."),
    # why a packet was refused (central/carry.py REASONS, for this page: "missing" may also
    # mean a file the officer did not choose)
    "cy.reason.bad_index": ("indeks flashdisk tidak ditandatangani oleh stasiun yang dikenal "
                            "pusat ini",
                            "the drive's index is not signed by a station this centre knows"),
    "cy.reason.revoked": ("stasiun yang menulis flashdisk ini sudah dicabut",
                          "the station that wrote this drive is revoked"),
    "cy.reason.not_listed": ("tidak tercantum di indeks bertanda tangan flashdisk ini (paket "
                             "stasiun lain, atau ditambahkan kemudian)",
                             "not in this drive's signed index (another station's packet, or "
                             "added afterwards)"),
    "cy.reason.missing": ("tercantum di indeks, tetapi tidak ada di flashdisk atau tidak ikut "
                          "dipilih",
                          "listed in the index, but not on the drive or not chosen for the "
                          "upload"),
    "cy.reason.altered": ("isinya berbeda dari yang ditulis stasiun (diubah atau rusak di "
                          "flashdisk)",
                          "its bytes differ from what the station wrote (altered or damaged "
                          "on the drive)"),
    "cy.reason.damaged": ("terpotong, diubah, atau disegel untuk pusat lain: segelnya tidak "
                          "dapat dibuka",
                          "cut short, altered, or sealed for another centre: its seal does "
                          "not open"),
    "cy.reason.not_packet": ("bukan paket rekaman flashdisk", "not a carried packet"),
    "cy.reason.bad_framing": ("rekaman di dalamnya rusak bentuknya",
                              "the record inside is malformed"),
    "cy.reason.blob_hash": ("sebuah berkas tidak cocok dengan alamatnya (hash)",
                            "a blob does not match its address"),
    "cy.reason.bad_signature": ("manifesnya tidak ditandatangani oleh stasiun flashdisk ini",
                                "the manifest is not signed by the station of this drive"),
    "cy.reason.bad_manifest": ("manifesnya tidak sah", "the manifest is not valid"),
    "cy.reason.other_station": ("rekaman ini milik stasiun lain",
                                "the record belongs to another station"),
    "cy.reason.conflict": ("manifes lain sudah tersimpan dengan ID rekaman yang sama",
                           "a different manifest is stored under this record id"),
    "cy.reason.too_large": ("lebih besar dari rekaman mana pun", "larger than any record can be"),
})
