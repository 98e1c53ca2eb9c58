<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="id">
<context>
    <name>QtAccountsScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="100" />
        <source>nonaktif</source>
        <translation>disabled</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="101" />
        <source>terkunci</source>
        <translation>locked</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="101" />
        <source>aktif</source>
        <translation>active</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="131" />
        <source>Aktifkan lagi</source>
        <translation>Enable again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="132" />
        <source>Nonaktifkan</source>
        <translation>Disable</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="157" />
        <source>Peran {user} sekarang {role}.</source>
        <translation>{user}'s role is now {role}.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="166" />
        <source>PIN {user} diatur ulang; kunci akun dibuka.</source>
        <translation>PIN of {user} reset; the account is unlocked.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="175" />
        <source>{user} diaktifkan lagi.</source>
        <translation>{user} enabled again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="176" />
        <source>{user} dinonaktifkan.</source>
        <translation>{user} disabled.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="185" />
        <source>Akun {user} dibuat.</source>
        <translation>Account {user} created.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="200" />
        <source>operator (petugas perekaman)</source>
        <translation>operator</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="201" />
        <source>teknisi</source>
        <translation>technician</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="201" />
        <source>pengawas</source>
        <translation>supervisor</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="204" />
        <source>Akun pengguna</source>
        <translation>User accounts</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="206" />
        <source>Tambah, nonaktifkan dan atur ulang PIN petugas dan teknisi. Setiap perubahan dicatat di log audit. Tidak seorang pun dapat menaikkan perannya sendiri.</source>
        <translation>Add, disable and reset the PINs of operators and technicians. Every change is recorded in the audit log. Nobody can raise their own role.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="208" />
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="216" />
        <source>Nama pengguna</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="208" />
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="216" />
        <source>Nama lengkap</source>
        <translation>Full name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="209" />
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="211" />
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="217" />
        <source>Peran</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="209" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="210" />
        <source>Akun terpilih</source>
        <translation>Selected account</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="212" />
        <source>PIN baru</source>
        <translation>New PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="213" />
        <source>Ubah peran</source>
        <translation>Change role</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="214" />
        <source>Atur ulang PIN</source>
        <translation>Reset PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="215" />
        <source>Akun baru</source>
        <translation>New account</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="217" />
        <source>PIN (6 angka)</source>
        <translation>PIN (6 digits)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="225" />
        <source>Tambah akun</source>
        <translation>Add account</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="226" />
        <source>huruf kecil, mis. siti.r</source>
        <translation>lowercase, e.g. siti.r</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="1" />
        <source>Nonaktifkan akun?</source>
        <translation>Disable the account?</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="1" />
        <source>{name} ({user}) tidak akan bisa masuk lagi sampai diaktifkan kembali. Riwayat dan rekamannya tetap tersimpan.</source>
        <translation>{name} ({user}) will not be able to log in until enabled again. Their history and records stay saved.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="1" />
        <source>Ya, nonaktifkan</source>
        <translation>Yes, disable</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_accounts.py" line="1" />
        <source>Tidak, biarkan aktif</source>
        <translation>No, keep it active</translation>
    </message>
</context>
<context>
    <name>QtCapScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="84" />
        <source>tetap (setiap hari)</source>
        <translation>standing (every day)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="106" />
        <source>Hari ini, {date}: {count} perekaman dari batas {cap} (batas tetap {standing}).</source>
        <translation>Today, {date}: {count} recordings of a cap of {cap} (standing cap {standing}).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="111" />
        <source>Diubah untuk hari ini: {reason}</source>
        <translation>Changed for today: {reason}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="116" />
        <source>Batas harian</source>
        <translation>Daily cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="118" />
        <source>Batas tetap berlaku setiap hari; perubahan untuk hari ini berakhir pukul 00.00. Setiap perubahan perlu alasan dan dicatat di log audit.</source>
        <translation>The standing cap applies every day; a change for today ends at 00:00. Every change needs a reason and is recorded in the audit log.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="120" />
        <source>Kuota hari ini</source>
        <translation>Today's quota</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="121" />
        <source>Ubah batas</source>
        <translation>Change the cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="122" />
        <source>Hanya hari ini</source>
        <translation>Today only</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="123" />
        <source>Batas tetap (setiap hari)</source>
        <translation>Standing cap (every day)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="124" />
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="131" />
        <source>Berlaku</source>
        <translation>Applies to</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="124" />
        <source>Batas baru</source>
        <translation>New cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="125" />
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="132" />
        <source>Alasan</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="127" />
        <source>mis. pelayanan keliling desa</source>
        <translation>e.g. mobile service in the villages</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="128" />
        <source>Simpan batas</source>
        <translation>Save cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="129" />
        <source>Riwayat perubahan</source>
        <translation>Change history</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="131" />
        <source>Waktu</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="131" />
        <source>Batas</source>
        <translation>Threshold</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="131" />
        <source>Oleh</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="1" />
        <source>Batas di bawah jumlah hari ini?</source>
        <translation>Cap below today's count?</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="1" />
        <source>Tetap ubah batasnya?</source>
        <translation>Change the cap anyway?</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="1" />
        <source>Ya, tetapkan {cap}</source>
        <translation>Yes, set {cap}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="1" />
        <source>Tidak, jangan ubah</source>
        <translation>No, leave it</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_cap.py" line="1" />
        <source>Batas tidak diubah.</source>
        <translation>The cap was not changed.</translation>
    </message>
</context>
<context>
    <name>QtCarryScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Semua rekaman sudah diterima server pusat: tidak ada yang perlu dibawa.</source>
        <translation>The central server has received every record: nothing needs carrying.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Akan ditulis: {n} rekaman, sekitar {mb} MB.</source>
        <translation>To be written: {n} records, about {mb} MB.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Baca tanda terima</source>
        <translation>Read receipts</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Batal</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Bawa dengan flashdisk</source>
        <translation>Carry on a USB drive</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Belum ada flashdisk terpasang. Pasang flashdisk, tunggu sebentar, lalu tekan "Cari lagi"; atau pilih folder lain.</source>
        <translation>No USB drive is plugged in. Plug one in, wait a moment, then press "Look again"; or choose another folder.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Belum diterima server pusat: {n} rekaman (sekitar {mb} MB).</source>
        <translation>Not yet received by the central server: {n} records (about {mb} MB).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Bila jaringan lama putus: rekaman yang belum diterima server pusat ditulis ke flashdisk, terkunci untuk server pusat, lalu flashdisk dibawa ke Disdukcapil. Rekaman tetap di antrean stasiun dan tetap dikirim bila jaringan kembali.</source>
        <translation>When the link is down for long: the records the central server has not received are written to a USB drive, locked for the central server, and the drive is taken to Disdukcapil. The records stay in the station's queue and are still sent if the link comes back.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Cari lagi</source>
        <translation>Look again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Di antaranya {n} sudah dibawa dengan flashdisk dan menunggu tanda terima.</source>
        <translation>Of these, {n} were carried on a USB drive and wait for their receipts.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Di stasiun ini</source>
        <translation>On this station</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Ekspor terakhir: {when} (folder {folder}).</source>
        <translation>Last export: {when} (folder {folder}).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Flashdisk ini tidak bisa ditulisi (hanya-baca): pakai flashdisk lain.</source>
        <translation>This drive cannot be written (read-only): use another drive.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Flashdisk tujuan</source>
        <translation>Destination drive</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Membatalkan: rekaman yang sedang ditulis diselesaikan dulu...</source>
        <translation>Cancelling: the record being written is finished first...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Menulis ke {path}... Jangan cabut flashdisk.</source>
        <translation>Writing to {path}... Do not pull out the drive.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Menulis rekaman ke flashdisk perlu PIN pengawas. Isinya terkunci untuk server pusat: flashdisk yang hilang tidak membuka data siapa pun.</source>
        <translation>Writing records to a USB drive needs a supervisor's PIN. Its contents are locked for the central server: a lost drive exposes no one's data.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Pilih flashdisk atau folder tujuan dulu.</source>
        <translation>Choose a drive or destination folder first.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Pilih folder flashdisk</source>
        <translation>Choose the drive's folder</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Pilih folder lain...</source>
        <translation>Choose another folder...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Ruang kosongnya hanya {free}: sebagian saja yang muat; sisanya tetap menunggu untuk flashdisk berikutnya.</source>
        <translation>It has only {free} free: only part will fit; the rest keeps waiting for the next drive.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Tanda terima flashdisk terakhir kembali: {when}; {n} rekaman diterima pusat lewat flashdisk.</source>
        <translation>Last receipts back by drive: {when}; {n} records received by the centre by drive.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>Tulis ke flashdisk</source>
        <translation>Write to the drive</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>tidak bisa ditulisi</source>
        <translation>cannot be written</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>{label}  ·  {path}  ·  kosong {free} dari {total}</source>
        <translation>{label}  ·  {path}  ·  {free} free of {total}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_carry.py" line="1" />
        <source>{path} tidak bisa dibuka.</source>
        <translation>{path} cannot be opened.</translation>
    </message>
    </context>
<context>
    <name>QtCarryWatch</name>
    <message>
        <location filename="../../kiosk/ui/qt_carry_watch.py" line="1" />
        <source>Tanda terima dari flashdisk</source>
        <translation>Receipts from a USB drive</translation>
    </message>
    </context>
<context>
    <name>QtDashboardScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="164" />
        <source>Dasbor 30 hari</source>
        <translation>30-day dashboard</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="166" />
        <source>Perekaman per hari terhadap batas, antrean kirim dan penolakan server, serta menit offline per hari.</source>
        <translation>Recordings per day against the cap, the send queue and server rejections, and offline minutes per day.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="168" />
        <source>Muat ulang</source>
        <translation>Reload</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="169" />
        <source>Perekaman per hari dan batas harian</source>
        <translation>Recordings per day and the daily cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="170" />
        <source>Perekaman</source>
        <translation>Recordings</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="171" />
        <source>Batas harian</source>
        <translation>Daily cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="172" />
        <source>Antrean kirim dan penolakan</source>
        <translation>Send queue and rejections</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="173" />
        <source>Belum diterima</source>
        <translation>Not yet received</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="174" />
        <source>Ditolak</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="175" />
        <source>Menit offline per hari</source>
        <translation>Offline minutes per day</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="176" />
        <source>Menit offline</source>
        <translation>Offline minutes</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="177" />
        <source>Hari ini</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="178" />
        <source>Perekaman / batas</source>
        <translation>Recordings / cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="179" />
        <source>Menunggu dikirim (semua hari)</source>
        <translation>Waiting to be sent (all days)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="180" />
        <source>Sudah diterima server</source>
        <translation>Received by the server</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="181" />
        <source>Menit offline hari ini</source>
        <translation>Offline minutes today</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="182" />
        <source>Perlu rekam ulang, belum dihubungi</source>
        <translation>Re-recording needed, not yet contacted</translation>
    </message>
<message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="1" />
        <source>Antrean kirim, penolakan dan flashdisk</source>
        <translation>Sync backlog, rejections and drives</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="1" />
        <source>Di antaranya dibawa flashdisk, menunggu tanda terima</source>
        <translation>Of these, carried on a drive, waiting for receipts</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="1" />
        <source>Dibawa</source>
        <translation>Carried</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="1" />
        <source>Perekaman per hari terhadap batas, antrean kirim, penolakan server, rekaman yang dibawa dengan flashdisk dan tanda terimanya, serta menit offline per hari.</source>
        <translation>Recordings per day against the cap, the sync backlog, server rejections, records carried on a drive and their receipts, and offline minutes per day.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_dashboard.py" line="1" />
        <source>Tanda terima</source>
        <translation>Receipts back</translation>
    </message>
    </context>
<context>
    <name>QtDeskNav</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="112" />
        <source>Rekaman bermasalah</source>
        <translation>Faulted records</translation>
    </message>
<message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="1" />
        <source>Bawa dengan flashdisk</source>
        <translation>Carry on a USB drive</translation>
    </message>
    </context>
<context>
    <name>QtDeviceSettingsScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="114" />
        <source>Tersimpan dan langsung berlaku: {keys}</source>
        <translation>Saved and in effect now: {keys}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="118" />
        <source>Tidak ada perubahan.</source>
        <translation>No changes.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="127" />
        <source>Pengaturan perangkat</source>
        <translation>Device settings</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="129" />
        <source>Perubahan disimpan ke berkas pengaturan, langsung berlaku tanpa memulai ulang, dan dicatat di log audit.</source>
        <translation>Changes are saved to the settings file, take effect without a restart, and are recorded in the audit log.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="131" />
        <source>Kamera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="132" />
        <source>Sumber (indeks atau URL)</source>
        <translation>Source (index or URL)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="133" />
        <source>Resolusi</source>
        <translation>Resolution</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="135" />
        <source>0 adalah kamera USB pertama. Kamera jaringan: rtsp://... atau http://...</source>
        <translation>0 is the first USB camera. A network camera: rtsp://... or http://...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="136" />
        <source>Pemindai sidik jari (SBI)</source>
        <translation>Fingerprint scanner (SBI)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="137" />
        <source>Port pertama</source>
        <translation>First port</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="138" />
        <source>Port terakhir</source>
        <translation>Last port</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="140" />
        <source>Layanan perangkat MOSIP SBI dicari pada rentang port ini (biasanya 4501-4600).</source>
        <translation>The MOSIP SBI device service is looked for on this port range (usually 4501-4600).</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="141" />
        <source>Tanda tangan</source>
        <translation>Signature</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="142" />
        <source>Alat input</source>
        <translation>Input device</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="144" />
        <source>auto memilih tablet pena bila ada, lalu layar sentuh, lalu tetikus.</source>
        <translation>auto picks a pen tablet when there is one, then a touch screen, then the mouse.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="145" />
        <source>Simpan</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_device_settings.py" line="146" />
        <source>Batalkan perubahan</source>
        <translation>Discard changes</translation>
    </message>
</context>
<context>
    <name>QtExportScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="145" />
        <source>{date}: {n} perekaman</source>
        <translation>{date}: {n} recordings</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="149" />
        <source>Pilih folder</source>
        <translation>Choose a folder</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="181" />
        <source>Mengekspor...</source>
        <translation>Exporting...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="188" />
        <source>Membatalkan...</source>
        <translation>Cancelling...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="202" />
        <source>Selesai: {rows} baris ditulis ke {path}
SHA-256 {sha} (dicatat di log audit)</source>
        <translation>Done: {rows} rows written to {path}
SHA-256 {sha} (recorded in the audit log)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="226" />
        <source>Ekspor log harian</source>
        <translation>Daily log export</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="228" />
        <source>Satu baris per perekaman dan ringkasan hari itu. Tidak pernah berisi data biometrik; setiap ekspor dicatat di log audit dengan SHA-256 berkasnya.</source>
        <translation>One row per recording and the day's summary. Never contains biometrics; every export is recorded in the audit log with the file's SHA-256.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="230" />
        <source>Tanggal</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="230" />
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="231" />
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="231" />
        <source>Simpan ke</source>
        <translation>Save to</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="234" />
        <source>Tampilkan NIK lengkap (bukan 627104********17)</source>
        <translation>Show full NIKs (not 627104********17)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="236" />
        <source>NIK lengkap adalah data pribadi. Permintaan ini dicatat di log audit atas nama Anda.</source>
        <translation>Full NIKs are personal data. This request is recorded in the audit log in your name.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="238" />
        <source>Pilih folder...</source>
        <translation>Choose folder...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="239" />
        <source>Ekspor</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_export.py" line="240" />
        <source>Batal</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>QtFaultsScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="43" />
        <source>segera</source>
        <translation>soon</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="47" />
        <source>{n} rekaman tidak dapat dibaca untuk dikirim; rekaman lain tetap dikirim.</source>
        <translation>{n} records cannot be read to be sent; the other records are still sent.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="49" />
        <source>Tidak ada rekaman bermasalah: semua dapat dibaca.</source>
        <translation>No faulted records: every record can be read.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="52" />
        <source>Rekaman bermasalah</source>
        <translation>Faulted records</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="54" />
        <source>Rekaman yang tidak dapat dibaca untuk dikirim ke server pusat (misalnya data terenkripsi yang rusak). Pengiriman mencobanya lagi secara berkala. Jalankan `kiosk db check` untuk rinciannya.</source>
        <translation>Records that cannot be read to be sent to the central server (sealed data that is damaged, for example). Delivery tries them again from time to time. Run `kiosk db check` for the details.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="58" />
        <source>No. registrasi</source>
        <translation>Registration no.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="58" />
        <source>Sejak</source>
        <translation>Since</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="58" />
        <source>Masalah</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="59" />
        <source>Percobaan</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="59" />
        <source>Dicoba lagi</source>
        <translation>Next try</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_faults.py" line="60" />
        <source>Muat ulang</source>
        <translation>Reload</translation>
    </message>
</context>
<context>
    <name>QtHistoryScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="93" />
        <source>masih berlangsung</source>
        <translation>still going on</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="104" />
        <source>LULUS</source>
        <translation>PASSED</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="104" />
        <source>GAGAL</source>
        <translation>FAILED</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="122" />
        <source>Disimpan: {path}</source>
        <translation>Saved: {path}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="126" />
        <source>Insiden perangkat ({n})</source>
        <translation>Device incidents ({n})</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="127" />
        <source>Swauji ({n})</source>
        <translation>Self-tests ({n})</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="130" />
        <source>Riwayat swauji dan insiden</source>
        <translation>Self-test and incident history</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="132" />
        <source>Perangkat hilang saat perekaman, mutu gagal berturut-turut, dan masa server tidak terjangkau, dengan mulai, selesai dan durasinya.</source>
        <translation>Devices lost during recording, quality failures in a row, and periods the server was unreachable, with start, end and duration.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="134" />
        <source>Hanya tanggal</source>
        <translation>Only the date</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="135" />
        <location filename="../../kiosk/ui/desk/qt_history.py" line="139" />
        <source>Perangkat</source>
        <translation>Device</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="136" />
        <source>Semua perangkat</source>
        <translation>All devices</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="137" />
        <source>Ekspor CSV</source>
        <translation>Export CSV</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="139" />
        <source>Mulai</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="139" />
        <source>Selesai</source>
        <translation>End</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="139" />
        <source>Durasi (menit)</source>
        <translation>Duration (minutes)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="140" />
        <source>Jenis</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="140" />
        <source>Keterangan</source>
        <translation>Detail</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="142" />
        <source>Waktu</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="142" />
        <source>Hasil</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="142" />
        <source>Gagal pada</source>
        <translation>Failed on</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_history.py" line="142" />
        <source>Petunjuk</source>
        <translation>Hint</translation>
    </message>
</context>
<context>
    <name>QtRerecordScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="44" />
        <source>belum</source>
        <translation>not yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="46" />
        <source>(tidak ada)</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="49" />
        <source>{n} pemohon belum dihubungi.</source>
        <translation>{n} applicants not yet contacted.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="50" />
        <source>Tidak ada rekaman yang ditolak server.</source>
        <translation>No records were rejected by the server.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="76" />
        <source>Perlu rekam ulang</source>
        <translation>Re-recording needed</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="78" />
        <source>Rekaman yang ditolak server pusat. Hubungi pemohon agar datang merekam ulang, lalu tandai "sudah dihubungi".</source>
        <translation>Records the central server rejected. Contact the applicant to come and record again, then mark "contacted".</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="81" />
        <source>Tanggal rekam</source>
        <translation>Recorded on</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="81" />
        <source>No. registrasi</source>
        <translation>Registration no.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="81" />
        <source>Nama</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="81" />
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="82" />
        <source>Telepon</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="82" />
        <source>Alasan penolakan</source>
        <translation>Rejection reason</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="82" />
        <source>Sudah dihubungi</source>
        <translation>Contacted</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_rerecord.py" line="83" />
        <source>Tandai sudah dihubungi</source>
        <translation>Mark as contacted</translation>
    </message>
</context>
<context>
    <name>QtSelfTestScreen</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="375" />
        <source>SIBUK</source>
        <translation>BUSY</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="210" />
        <source>memeriksa...</source>
        <translation>checking...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="251" />
        <source>belum diperiksa</source>
        <translation>not checked yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="260" />
        <source>Jalankan pemeriksaan server.</source>
        <translation>Run the server check.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="315" />
        <source>Letakkan kedua ibu jari pada pemindai...</source>
        <translation>Place both thumbs on the scanner...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="321" />
        <source>Ibu jari kanan</source>
        <translation>Right thumb</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="321" />
        <source>Ibu jari kiri</source>
        <translation>Left thumb</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="324" />
        <source>{device} · batas mutu {n}</source>
        <translation>{device} · quality threshold {n}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="335" />
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="385" />
        <source>Buat satu goresan uji di bidang ini.</source>
        <translation>Draw one test stroke in this box.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="351" />
        <source>Swauji perangkat</source>
        <translation>Device self-test</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="353" />
        <source>Periksa kamera, pemindai sidik jari, alat tanda tangan, server, disk dan basis data. Satu pemeriksaan hanya ditampilkan; "Jalankan semua" dicatat sebagai swauji.</source>
        <translation>Check the camera, fingerprint scanner, signature input, server, disk and database. A single check is only shown; "Run all" is recorded as a self-test.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="356" />
        <source>Jalankan semua</source>
        <translation>Run all</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="358" />
        <source>Pemeriksaan</source>
        <translation>Check</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="358" />
        <source>Hasil</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="358" />
        <source>Nilai terukur</source>
        <translation>Measured value</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="358" />
        <source>Batas</source>
        <translation>Threshold</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="359" />
        <source>Petunjuk</source>
        <translation>Hint</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="360" />
        <source>Kamera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="360" />
        <source>Pemindai sidik jari</source>
        <translation>Fingerprint scanner</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="361" />
        <source>Alat tanda tangan</source>
        <translation>Signature input</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="361" />
        <source>Server pusat</source>
        <translation>Central server</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="362" />
        <source>Ruang disk</source>
        <translation>Disk space</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="362" />
        <source>Basis data</source>
        <translation>Database</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="365" />
        <source>Periksa</source>
        <translation>Check</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="368" />
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="374" />
        <source>LULUS</source>
        <translation>PASSED</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="369" />
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="374" />
        <source>GAGAL</source>
        <translation>FAILED</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="372" />
        <source>Swauji dicatat {when}: {result}</source>
        <translation>Self-test recorded {when}: {result}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="377" />
        <source>Pratinjau kamera</source>
        <translation>Camera preview</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="378" />
        <source>Hentikan pratinjau</source>
        <translation>Stop preview</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="379" />
        <source>Mulai pratinjau</source>
        <translation>Start preview</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="380" />
        <source>Uji sidik jari</source>
        <translation>Fingerprint test</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="381" />
        <source>Rekam uji ibu jari</source>
        <translation>Test thumbs capture</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="382" />
        <source>Uji tanda tangan</source>
        <translation>Signature test</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="383" />
        <source>Hapus</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="386" />
        <source>Sambungan server</source>
        <translation>Server link</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="387" />
        <source>Latensi</source>
        <translation>Latency</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_selftest.py" line="388" />
        <source>Selisih jam</source>
        <translation>Clock skew</translation>
    </message>
</context>
</TS>