<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_GB" sourcelanguage="id_ID">
<context>
    <name>QtCapOverrideDialog</name>
    <message>
        <location filename="../../kiosk/ui/qt_supervisor.py" line="86" />
        <source>Naikkan batas harian</source>
        <translation>Raise the daily cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_supervisor.py" line="87" />
        <source>Batas hari ini dapat dinaikkan oleh pengawas. Alasannya dicatat di log audit.</source>
        <translation>A supervisor can raise today's cap. The reason goes to the audit log.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_supervisor.py" line="96" />
        <source>Batas baru hari ini</source>
        <translation>Today's new cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_supervisor.py" line="97" />
        <source>Alasan</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_supervisor.py" line="103" />
        <source>Alasan wajib diisi.</source>
        <translation>A reason is required.</translation>
    </message>
</context>
<context>
    <name>QtDataStep</name>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="269" />
        <source>Perhatian: NIK ini sudah pernah direkam di stasiun ini ({n} kali, terakhir {date}, nomor {regno}). Pastikan pemohon memang perlu direkam ulang.</source>
        <translation>Note: this NIK was already recorded at this station ({n} times, last on {date}, number {regno}). Make sure the applicant really needs to be recorded again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="318" />
        <source>Data</source>
        <translation>Data</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="321" />
        <source>Isi data sesuai dokumen pemohon (KK / surat keterangan). Tanda * wajib diisi.</source>
        <translation>Enter the data from the applicant's documents (family card / letter). Fields marked * are required.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="324" />
        <source>NIK *</source>
        <translation>NIK *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="324" />
        <source>Nama *</source>
        <translation>Name *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="325" />
        <source>Tempat lahir *</source>
        <translation>Place of birth *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="326" />
        <source>Tgl lahir (HH-BB-TTTT) *</source>
        <translation>Birth date (DD-MM-YYYY) *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="327" />
        <source>Jenis kelamin *</source>
        <translation>Sex *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="327" />
        <source>Gol. darah</source>
        <translation>Blood type</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="328" />
        <source>Agama *</source>
        <translation>Religion *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="328" />
        <source>Status perkawinan *</source>
        <translation>Marital status *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="329" />
        <source>Pekerjaan *</source>
        <translation>Occupation *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="329" />
        <source>Alamat *</source>
        <translation>Address *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="330" />
        <source>RT *</source>
        <translation>RT *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="330" />
        <source>RW *</source>
        <translation>RW *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="330" />
        <source>Kecamatan *</source>
        <translation>Kecamatan *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="331" />
        <source>Kel/Desa *</source>
        <translation>Kelurahan/Desa *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="331" />
        <source>Kewarganegaraan *</source>
        <translation>Citizenship *</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="332" />
        <source>Berlaku hingga</source>
        <translation>Valid until</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="332" />
        <source>No. HP (pilihan)</source>
        <translation>Mobile no. (optional)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_data.py" line="336" />
        <source>untuk menghubungi pemohon bila perlu</source>
        <translation>to reach the applicant if needed</translation>
    </message>
</context>
<context>
    <name>QtDemoServerButton</name>
    <message>
        <location filename="../../kiosk/ui/qt_demo.py" line="43" />
        <source>Demo: matikan server pusat</source>
        <translation>Demo: turn the central server off</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_demo.py" line="46" />
        <source>Demo: nyalakan server pusat</source>
        <translation>Demo: turn the central server on</translation>
    </message>
</context>
<context>
    <name>QtDeskNav</name>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="100" />
        <source>Swauji perangkat</source>
        <translation>Device self-test</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="102" />
        <source>Riwayat insiden</source>
        <translation>Incident history</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="105" />
        <source>Pengaturan perangkat</source>
        <translation>Device settings</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="106" />
        <source>Dasbor</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="107" />
        <source>Log harian</source>
        <translation>Daily log</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="108" />
        <source>Batas harian</source>
        <translation>Daily cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="109" />
        <source>Akun</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="110" />
        <source>Perlu rekam ulang</source>
        <translation>Re-recordings needed</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk/qt_desk_nav.py" line="146" />
        <source>‹ Kembali ke beranda</source>
        <translation>‹ Back to home</translation>
    </message>
</context>
<context>
    <name>QtFingerExceptionDialog</name>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="97" />
        <source>Pengecualian jari</source>
        <translation>Finger exception</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="104" />
        <source>Diamputasi / tidak ada</source>
        <translation>Amputated / missing</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="105" />
        <source>Diperban / terluka</source>
        <translation>Bandaged / injured</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="106" />
        <source>Tidak dapat direkam</source>
        <translation>Cannot be captured</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="110" />
        <source>Jari</source>
        <translation>Finger</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="111" />
        <source>Alasan</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="114" />
        <source>Catat</source>
        <translation>Record</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="115" />
        <source>Batal</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>QtFingerStep</name>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="167" />
        <source>Sidik jari</source>
        <translation>Fingerprints</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="238" />
        <source>Urutan 4-4-2: empat jari kanan, empat jari kiri, lalu kedua ibu jari. Tekan jari rata di kaca pemindai.</source>
        <translation>The 4-4-2 order: right four fingers, left four fingers, then both thumbs. Press the fingers flat on the scanner glass.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="240" />
        <source>Hijau: lulus mutu · Kuning: di bawah batas mutu (terbaik disimpan) · Abu-abu: pengecualian · Putih: belum</source>
        <translation>Green: quality passed · Yellow: below the quality threshold (best kept) · Grey: exception · White: not yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="242" />
        <source>Pengecualian jari...</source>
        <translation>Finger exception...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="243" />
        <source>Coba lagi</source>
        <translation>Try again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="245" />
        <source>Empat jari kanan</source>
        <translation>Right four fingers</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="245" />
        <source>Empat jari kiri</source>
        <translation>Left four fingers</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="246" />
        <source>Kedua ibu jari</source>
        <translation>Both thumbs</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="250" />
        <source>{name} ({n}/{max})</source>
        <translation>{name} ({n}/{max})</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="256" />
        <source>Menunggu pemindai sidik jari...</source>
        <translation>Waiting for the fingerprint scanner...</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="258" />
        <source>Pemindai belum tersambung.</source>
        <translation>The scanner is not connected yet.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="260" />
        <source>Sepuluh jari selesai. Lanjut ke tanda tangan.</source>
        <translation>All ten fingers done. Go on to the signature.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="264" />
        <source>Rekam setiap kelompok jari. Jari di bawah batas mutu bisa diulang.</source>
        <translation>Capture each group of fingers. Fingers below the quality threshold can be retried.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="266" />
        <source>Perlu diulang: {fingers}.</source>
        <translation>Retry: {fingers}.</translation>
    </message>
</context>
<context>
    <name>QtHandDiagram</name>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="80" />
        <source>Tangan kiri</source>
        <translation>Left hand</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_fingers.py" line="80" />
        <source>Tangan kanan</source>
        <translation>Right hand</translation>
    </message>
</context>
<context>
    <name>QtHomeScreen</name>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="158" />
        <source>Selamat datang, {name}</source>
        <translation>Welcome, {name}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="159" />
        <source>Kuota hari ini</source>
        <translation>Today's quota</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="160" />
        <source>Pengiriman ke server pusat</source>
        <translation>Delivery to the central server</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="161" />
        <source>Perekaman Baru</source>
        <translation>New Recording</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="162" />
        <source>Naikkan batas hari ini (pengawas)</source>
        <translation>Raise today's cap (supervisor)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="163" />
        <source>Cek status perekaman</source>
        <translation>Check a recording's status</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="168" />
        <source>{date}: {n} perekaman tersisa hari ini.</source>
        <translation>{date}: {n} recordings left today.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="171" />
        <source>Batas dinaikkan: {reason}</source>
        <translation>Cap raised: {reason}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="183" />
        <source>Perlu rekam ulang ({n} belum dihubungi)</source>
        <translation>Re-recordings needed ({n} not yet informed)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="192" />
        <source>Belum diketahui</source>
        <translation>Not known yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="197" />
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="198" />
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="199" />
        <source>Server sibuk</source>
        <translation>Server busy</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="200" />
        <source>Server belum diatur</source>
        <translation>Server not set up</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="201" />
        <source>Pengiriman dijeda</source>
        <translation>Delivery paused</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="206" />
        <source>Menunggu dikirim: {n} perekaman</source>
        <translation>Waiting to be sent: {n} recordings</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="213" />
        <source>{done} dari {total} terkirim</source>
        <translation>{done} of {total} sent</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="218" />
        <source>Lanjutkan pengiriman</source>
        <translation>Resume delivery</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="219" />
        <source>Jeda pengiriman</source>
        <translation>Pause delivery</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="221" />
        <source>Terakhir berhasil: {when}</source>
        <translation>Last success: {when}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_home.py" line="224" />
        <source>Belum pernah berhasil terkirim.</source>
        <translation>Nothing delivered yet.</translation>
    </message>
</context>
<context>
    <name>QtLockScreen</name>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="182" />
        <source>Layar terkunci</source>
        <translation>Screen locked</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="184" />
        <source>Dikunci karena tidak ada kegiatan. Perekaman yang sedang berjalan tetap tersimpan di layar. {name}, masukkan PIN Anda untuk melanjutkan.</source>
        <translation>Locked after a period without activity. The recording in progress is kept on screen. {name}, enter your PIN to continue.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="187" />
        <source>Buka kunci</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="188" />
        <source>Ganti pengguna</source>
        <translation>Switch user</translation>
    </message>
</context>
<context>
    <name>QtLoginScreen</name>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="92" />
        <source>Masuk ke stasiun perekaman</source>
        <translation>Log in to the recording station</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="93" />
        <source>Masukkan nama pengguna dan PIN 6 angka Anda.</source>
        <translation>Enter your user name and 6-digit PIN.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="94" />
        <source>Nama pengguna</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="95" />
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="96" />
        <source>Masuk</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="98" />
        <source>Akun demo (data contoh saja):</source>
        <translation>Demo accounts (sample data only):</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="105" />
        <source>Petugas</source>
        <translation>Operator</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="106" />
        <source>Teknisi</source>
        <translation>Technician</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_login.py" line="107" />
        <source>Pengawas</source>
        <translation>Supervisor</translation>
    </message>
</context>
<context>
    <name>QtMainWindow</name>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="223" />
        <source>Tidak diizinkan</source>
        <translation>Not allowed</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="258" />
        <source>Tidak dapat mulai</source>
        <translation>Cannot start</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="273" />
        <source>Tinggalkan perekaman?</source>
        <translation>Leave the recording?</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="274" />
        <source>Perekaman ini belum disimpan. Bila ditinggalkan, semua yang sudah direkam untuk pemohon ini hilang.</source>
        <translation>This recording is not saved. If you leave it, everything captured for this applicant is lost.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="276" />
        <source>Ya, tinggalkan</source>
        <translation>Yes, leave it</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="276" />
        <source>Tidak, lanjutkan perekaman</source>
        <translation>No, continue recording</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="343" />
        <source>Keluar dari mode kiosk</source>
        <translation>Leave kiosk mode</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="344" />
        <source>Hanya pengawas yang dapat menutup stasiun.</source>
        <translation>Only a supervisor can close the station.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="365" />
        <source>Stasiun Perekaman KTP-el</source>
        <translation>e-KTP Recording Station</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="366" />
        <source>Perekaman KTP-el · {office} · stasiun {no}</source>
        <translation>e-KTP recording · {office} · station {no}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="371" />
        <source>Kunci layar</source>
        <translation>Lock screen</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_main.py" line="372" />
        <source>Keluar</source>
        <translation>Log out</translation>
    </message>
</context>
<context>
    <name>QtPhotoStep</name>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="89" />
        <source>Foto</source>
        <translation>Photo</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="185" />
        <source>Satu wajah</source>
        <translation>One face</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="185" />
        <source>Ukuran wajah</source>
        <translation>Face size</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="186" />
        <source>Posisi tengah</source>
        <translation>Centred</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="186" />
        <source>Mata terlihat</source>
        <translation>Eyes visible</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="187" />
        <source>Ketajaman</source>
        <translation>Sharpness</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="187" />
        <source>Pencahayaan</source>
        <translation>Exposure</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="188" />
        <source>Tanpa silau</source>
        <translation>No glare</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="188" />
        <source>Latar polos</source>
        <translation>Plain background</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="231" />
        <source>Pemeriksaan mutu foto</source>
        <translation>Photo quality checks</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="232" />
        <source>Ambil foto</source>
        <translation>Take photo</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="233" />
        <source>Ulangi foto</source>
        <translation>Retake photo</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="234" />
        <source>Coba lagi</source>
        <translation>Try again</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="238" />
        <source>Foto sudah diambil. Lanjut, atau ulangi bila perlu.</source>
        <translation>The photo is taken. Go on, or retake it if needed.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="240" />
        <source>Semua pemeriksaan lulus: tekan Ambil foto.</source>
        <translation>Every check passed: press Take photo.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="242" />
        <source>Minta pemohon menatap kamera, wajah di dalam oval.</source>
        <translation>Ask the applicant to look at the camera, face inside the oval.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>Nilai terukur {value}; syarat {rule}</source>
        <translation>Measured {value}; required {rule}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>Wajah</source>
        <translation>Face</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>Posisi wajah</source>
        <translation>Face position</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>Mata</source>
        <translation>Eyes</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>Silau</source>
        <translation>Glare</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>Latar belakang</source>
        <translation>Background</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>tidak terlihat</source>
        <translation>not seen</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>lebih dari satu</source>
        <translation>more than one</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>belum dapat diperiksa</source>
        <translation>cannot be checked yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>satu wajah terlihat</source>
        <translation>one face seen</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>pas</source>
        <translation>right</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>belum pas</source>
        <translation>not right yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>di tengah</source>
        <translation>centred</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>belum di tengah</source>
        <translation>not centred yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>kedua mata terlihat</source>
        <translation>both eyes seen</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>belum terlihat</source>
        <translation>not seen yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>cukup tajam</source>
        <translation>sharp enough</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>kurang tajam</source>
        <translation>not sharp enough</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>cukup</source>
        <translation>good</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>tidak ada</source>
        <translation>none</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>ada silau atau bayangan pekat</source>
        <translation>glare or deep shadows</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>polos</source>
        <translation>plain</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>belum polos</source>
        <translation>not plain yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>lulus</source>
        <translation>passed</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_photo.py" line="1" />
        <source>belum lulus</source>
        <translation>not passed yet</translation>
    </message>
</context>
<context>
    <name>QtReceipt</name>
    <message>
        <location filename="../../kiosk/ui/documents/qt_receipt_pdf.py" line="1" />
        <source>Dicetak ulang {when}</source>
        <translation>Reprinted {when}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="43" />
        <source>foto</source>
        <translation>photo</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="45" />
        <source>foto: tidak ada</source>
        <translation>photo: none</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="48" />
        <source>{n} sidik jari</source>
        <translation>{n} fingerprints</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="52" />
        <source>{n} jari dengan pengecualian</source>
        <translation>{n} fingers with an exception</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="57" />
        <source>tanda tangan</source>
        <translation>signature</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="59" />
        <source>tanpa tanda tangan (pengecualian)</source>
        <translation>no signature (exception)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="61" />
        <source>Nama</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="64" />
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="65" />
        <source>Tanggal</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="67" />
        <source>Tempat</source>
        <translation>Place</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="70" />
        <source>Direkam</source>
        <translation>Captured</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="75" />
        <source>Simpan tanda bukti ini. Untuk mengecek apakah rekaman Anda sudah sampai di server pusat, tunjukkan nomor registrasi (atau kode QR) ini kepada petugas di kantor kecamatan; petugas membuka menu Cek status. Anda tidak perlu direkam ulang kecuali petugas menghubungi Anda.</source>
        <translation>Keep this receipt. To check that your recording reached the central server, show this registration number (or QR code) to the staff at the kecamatan office; they open the Check status screen. You do not need to be recorded again unless the office contacts you.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="110" />
        <source>TANDA BUKTI PEREKAMAN KTP-el</source>
        <translation>e-KTP RECORDING RECEIPT</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="114" />
        <source>Nomor registrasi</source>
        <translation>Registration number</translation>
    </message>
</context>
<context>
    <name>QtReceiptScreen</name>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="231" />
        <source>Tersimpan</source>
        <translation>Saved</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="232" />
        <source>Nomor registrasi</source>
        <translation>Registration number</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="233" />
        <source>Cetak tanda bukti</source>
        <translation>Print receipt</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="234" />
        <source>Selesai</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_receipt.py" line="241" />
        <source>PDF tersimpan: {path}</source>
        <translation>PDF saved: {path}</translation>
    </message>
</context>
<context>
    <name>QtRecordingFlow</name>
    <message>
        <location filename="../../kiosk/ui/recording/qt_flow.py" line="157" />
        <source>Simpan</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_flow.py" line="157" />
        <source>Lanjut ›</source>
        <translation>Next ›</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_flow.py" line="171" />
        <source>Batalkan perekaman</source>
        <translation>Cancel recording</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_flow.py" line="172" />
        <source>‹ Kembali</source>
        <translation>‹ Back</translation>
    </message>
</context>
<context>
    <name>QtReviewStep</name>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="79" />
        <source>Periksa</source>
        <translation>Review</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="90" />
        <source>Bacakan data ini kepada pemohon. Bila ada yang salah, tekan Ubah. Tekan Simpan bila semua benar.</source>
        <translation>Read this data to the applicant. If anything is wrong, press Edit. Press Save when everything is right.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="93" />
        <source>Ubah</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="99" />
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="99" />
        <source>Nama</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="100" />
        <source>Tempat/Tgl lahir</source>
        <translation>Place/date of birth</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="102" />
        <source>Jenis kelamin</source>
        <translation>Sex</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="103" />
        <source>Gol. darah</source>
        <translation>Blood type</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="104" />
        <source>Alamat</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="104" />
        <source>RT/RW</source>
        <translation>RT/RW</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="105" />
        <source>Kel/Desa</source>
        <translation>Kelurahan/Desa</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="106" />
        <source>Kecamatan</source>
        <translation>Kecamatan</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="107" />
        <source>Agama</source>
        <translation>Religion</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="107" />
        <source>Status perkawinan</source>
        <translation>Marital status</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="108" />
        <source>Pekerjaan</source>
        <translation>Occupation</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="108" />
        <source>Kewarganegaraan</source>
        <translation>Citizenship</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="109" />
        <source>Berlaku hingga</source>
        <translation>Valid until</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="110" />
        <source>No. HP</source>
        <translation>Mobile no.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="118" />
        <source>Belum ada foto</source>
        <translation>No photo yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="120" />
        <source>lulus</source>
        <translation>passed</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="120" />
        <source>di bawah batas</source>
        <translation>below threshold</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="121" />
        <source>pengecualian</source>
        <translation>exception</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="121" />
        <source>belum</source>
        <translation>not yet</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="133" />
        <source>Tidak bertanda tangan: {reason}</source>
        <translation>No signature: {reason}</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_review.py" line="142" />
        <source>Belum ada tanda tangan</source>
        <translation>No signature yet</translation>
    </message>
</context>
<context>
    <name>QtSetupScreen</name>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="71" />
        <source>Pengaturan awal stasiun</source>
        <translation>Station first-run setup</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="72" />
        <source>Stasiun ini belum punya akun. Isi data stasiun dan buat akun pengawas pertama.</source>
        <translation>This station has no accounts yet. Enter the station's details and create the first supervisor account.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="74" />
        <source>Nomor stasiun</source>
        <translation>Station number</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="134" />
        <source>Provinsi</source>
        <translation>Province</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="134" />
        <source>Kabupaten/Kota</source>
        <translation>Regency/city</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="74" />
        <source>Kecamatan</source>
        <translation>Kecamatan</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="74" />
        <source>Zona waktu</source>
        <translation>Time zone</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="75" />
        <source>Batas harian</source>
        <translation>Daily cap</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="75" />
        <source>Nama pengguna pengawas</source>
        <translation>Supervisor user name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="76" />
        <source>Nama lengkap pengawas</source>
        <translation>Supervisor's full name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="76" />
        <source>PIN (6 angka)</source>
        <translation>PIN (6 digits)</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="77" />
        <source>Ulangi PIN</source>
        <translation>Repeat PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="80" />
        <source>Simpan dan mulai</source>
        <translation>Save and start</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_setup.py" line="89" />
        <source>Kedua PIN tidak sama.</source>
        <translation>The two PINs differ.</translation>
    </message>
</context>
<context>
    <name>QtSignatureStep</name>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_signature.py" line="48" />
        <source>Tanda tangan</source>
        <translation>Signature</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_signature.py" line="99" />
        <source>Minta pemohon menandatangani di dalam kotak, sebesar tanda tangan biasa.</source>
        <translation>Ask the applicant to sign inside the box, as large as a normal signature.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_signature.py" line="101" />
        <source>Hapus</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_signature.py" line="102" />
        <source>tidak mampu menulis</source>
        <translation>unable to write</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_signature.py" line="103" />
        <source>tidak dapat baca tulis</source>
        <translation>cannot read or write</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_signature.py" line="104" />
        <source>disabilitas</source>
        <translation>disability</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_signature.py" line="113" />
        <source>Batalkan pengecualian</source>
        <translation>Withdraw the exception</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/recording/qt_step_signature.py" line="114" />
        <source>Tidak dapat tanda tangan</source>
        <translation>Cannot sign</translation>
    </message>
</context>
<context>
    <name>QtStatusScreen</name>
    <message>
        <location filename="../../kiosk/ui/qt_status.py" line="85" />
        <source>Cek status perekaman</source>
        <translation>Check a recording's status</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_status.py" line="86" />
        <source>Ketik nomor registrasi dari tanda bukti (mis. 627104-01-20261128-017) atau NIK 16 angka.</source>
        <translation>Type the registration number from the receipt (e.g. 627104-01-20261128-017) or the 16-digit NIK.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_status.py" line="88" />
        <source>Cari</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_status.py" line="89" />
        <source>Kembali</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_status.py" line="93" />
        <source>Tidak ditemukan perekaman dengan nomor itu di stasiun ini. Periksa lagi nomornya.</source>
        <translation>No recording with that number at this station. Check the number again.</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_status.py" line="101" />
        <source>Nomor registrasi {regno}, direkam {when}.</source>
        <translation>Registration number {regno}, recorded {when}.</translation>
    </message>
    <message>
        <source>DITOLAK oleh server pusat. Alasan: {reason}. Pemohon perlu direkam ulang; hubungi petugas.</source>
        <translation type="vanished">REJECTED by the central server. Reason: {reason}. The applicant must be recorded again; contact the office.</translation>
    </message>
    <message>
        <source>Sudah diterima dan diproses oleh server pusat. Tidak perlu datang lagi untuk perekaman.</source>
        <translation type="vanished">Received and processed by the central server. No need to come back for recording.</translation>
    </message>
    <message>
        <source>Sudah diterima server pusat pada {received} dan sudah diperiksa ulang masih ada di sana.</source>
        <translation type="vanished">Received by the central server on {received}, and re-checked since: it is still there.</translation>
    </message>
    <message>
        <source>Pemeriksaan terakhir: {when}.</source>
        <translation type="vanished">Last check: {when}.</translation>
    </message>
    <message>
        <source>Sudah diterima server pusat pada {received} (dengan tanda terima resmi dari server).</source>
        <translation type="vanished">Received by the central server on {received} (with the server's signed receipt).</translation>
    </message>
    <message>
        <source>Sedang dikirim ke server pusat.</source>
        <translation type="vanished">Being sent to the central server.</translation>
    </message>
    <message>
        <source>Tersimpan aman di stasiun ini dan menunggu dikirim ke server pusat. Data tidak hilang walau jaringan putus.</source>
        <translation type="vanished">Saved safely on this station and waiting to be sent to the central server. Nothing is lost when the network is down.</translation>
    </message>
</context>
<context>
    <name>QtSupervisorDialog</name>
    <message>
        <location filename="../../kiosk/ui/qt_supervisor.py" line="43" />
        <source>Nama pengguna pengawas</source>
        <translation>Supervisor user name</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_supervisor.py" line="44" />
        <source>PIN pengawas</source>
        <translation>Supervisor PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_supervisor.py" line="50" />
        <source>Lanjutkan</source>
        <translation>Continue</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/qt_supervisor.py" line="51" />
        <source>Batal</source>
        <translation>Cancel</translation>
    </message>
</context>
</TS>