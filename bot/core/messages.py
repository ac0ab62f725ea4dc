"""Every user-facing Indonesian text in one place, for curators and translators."""

from __future__ import annotations

BADGES = {
    "dilarang": ("❌", "DILARANG"),
    "boleh": ("✅", "BOLEH"),
    "bersyarat": ("⚠️", "BERSYARAT"),
    "info": ("ℹ️", "INFO"),
    "diperdebatkan": ("⚖️", "DIPERDEBATKAN"),
}

LABEL_BASIS = "Dasar hukum"
LABEL_SANCTION = "Sanksi"
LABEL_SOURCES = "Sumber"
LABEL_CAVEAT = "Catatan"
BASIS_STATEMENTS_ONLY = "Belum ditemukan pasal khusus; jawaban bersandar pada pernyataan resmi (lihat Sumber)."
LABEL_READINGS = "⚖️ Pendapat yang berbeda"
LABEL_BY_STATUS = "Menurut status kepegawaian"
FOR_YOU = "Untuk Anda ({status})"
STATUS_LABELS = {"pns": "PNS", "pppk": "PPPK", "cpns": "CPNS", "honorer": "Honorer/PPNPN"}
REPLACED_BY = " (kini diganti {label})"
AMENDED_BY = " (diubah {labels})"
REVIEWED = "Terakhir ditinjau: {date}"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
DISCLAIMER = ("Bukan pendapat hukum resmi. Untuk kepastian, tanyakan ke unit kepegawaian "
              "instansi Anda (BKPSDM) atau Bawaslu.")

SUGGEST_INTRO = "Maksud Anda:"
SUGGEST_FOOTER = "Pilih salah satu, atau tulis ulang pertanyaan Anda dengan kata lain."

UNANSWERED = (
    "Maaf, saya belum punya jawaban yang pasti untuk pertanyaan itu. "
    "Pertanyaan Anda sudah dicatat agar tim kurator bisa melengkapi pengetahuan saya.\n\n"
    "Sementara itu, tanyakan ke unit kepegawaian instansi Anda (BKPSDM/biro kepegawaian) "
    "atau ke Bawaslu setempat. Lihat juga daftar topik yang sudah saya kuasai: /topik"
)
UNANSWERED_SHORT = "Maaf, saya belum tahu jawabannya. Pertanyaan sudah dicatat untuk kurator. Lihat /topik."

SMALLTALK = (
    "Halo! Saya Tanya Netral. Tanyakan apa saja soal netralitas ASN di Pemilu dan Pilkada "
    "dengan bahasa sehari-hari, misalnya:\n"
    "• boleh gak saya nge-like postingan caleg?\n"
    "• boleh jadi anggota KPPS?\n"
    "• istri saya nyalon, saya boleh ikut kampanye?"
)

THANKS_REPLY = "Sama-sama 🙏 Kalau ada pertanyaan lain soal netralitas ASN, tulis saja."

WELCOME = (
    "Selamat datang di <b>Tanya Netral</b> 👋\n\n"
    "Saya membantu ASN (PNS dan PPPK) mengecek apakah suatu tindakan boleh atau dilarang "
    "menurut aturan netralitas di Pemilu dan Pilkada. Jawaban saya memuat putusan, aturannya, "
    "dasar hukum, sanksi dan sumber.\n\n"
    "Tulis saja pertanyaan Anda, contohnya:\n"
    "• boleh gak saya nge-like postingan caleg?\n"
    "• boleh jadi anggota KPPS?\n"
    "• istri saya nyalon, saya boleh ikut kampanye?\n\n"
    "Perintah: /topik untuk menjelajah topik, /bantuan untuk bantuan, /tentang untuk sumber dan batasan."
)

HELP = (
    "<b>Cara bertanya</b>\n"
    "Tulis pertanyaan dengan bahasa sehari-hari, satu hal per pesan. Contoh: "
    "<i>boleh gak PNS pasang twibbon caleg?</i>\n\n"
    "Di grup: pakai /tanya pertanyaan, sebut @{username}, atau balas pesan saya.\n\n"
    "/topik — jelajahi semua topik\n"
    "/tanya — ajukan pertanyaan\n"
    "/tentang — sumber, batasan, dan privasi"
)

ABOUT = (
    "<b>Tentang Tanya Netral</b>\n"
    "Asisten tanya-jawab netralitas ASN berdasarkan basis pengetahuan yang dikurasi dari "
    "peraturan (UU ASN, UU Pemilu, UU Pilkada, PP 94/2021, PP 42/2004, SKB Netralitas 2022) "
    "dan pernyataan resmi instansi.\n\n"
    "{disclaimer}\n\n"
    "Privasi: pertanyaan dicatat tanpa nama atau nomor akun (hanya kode acak) untuk "
    "memperbaiki jawaban."
)

ASK_USAGE = "Tulis pertanyaan setelah perintahnya, misalnya: /tanya boleh gak like postingan caleg?"
NON_TEXT = "Maaf, saya hanya bisa membaca pertanyaan berupa teks. Silakan ketik pertanyaan Anda 🙏"
TOO_FAST = "Pelan-pelan ya 🙏 Anda mengirim banyak pertanyaan sekaligus. Coba lagi sebentar lagi."
ERROR = "Maaf, terjadi kesalahan di sisi saya. Silakan coba lagi sebentar lagi."
GROUP_INTRO = (
    "Halo semua! Saya Tanya Netral, tempat bertanya soal netralitas ASN di Pemilu dan Pilkada. "
    "Di grup ini saya hanya menjawab bila ditanya: ketik /tanya pertanyaan, sebut @{username}, "
    "atau balas pesan saya."
)
TOPICS_INTRO = "Pilih area topik:"
TOPICS_AREA = "<b>{title}</b>\nPilih pertanyaan:"
BUTTON_DETAIL = "📖 Detail"
BUTTON_BACK = "⬅️ Kembali"
BUTTON_UP = "👍"
BUTTON_DOWN = "👎"
FEEDBACK_THANKS = "Terima kasih atas masukannya!"
FEEDBACK_DOWN = "Terima kasih. Jawaban ini akan ditinjau kurator."
ENTRY_GONE = "Maaf, topik itu sudah tidak tersedia."
INLINE_EMPTY = "Ketik pertanyaan, misalnya: like postingan caleg"

CONSOLE_WELCOME = "Tanya Netral — ketik pertanyaan (Ctrl-D atau 'keluar' untuk berhenti)."
CONSOLE_BYE = "Sampai jumpa!"
CONSOLE_PICK = "(ketik nomor pilihan)"
CONSOLE_QUIT_WORDS = ("keluar", "exit", "quit")
CONSOLE_HELP = (
    "Cara bertanya: tulis pertanyaan dengan bahasa sehari-hari, satu hal per baris, misalnya "
    "\"boleh gak PNS pasang twibbon caleg?\"\n"
    "/topik    jelajahi semua topik\n"
    "/tentang  sumber, batasan, dan privasi\n"
    "/bantuan  bantuan ini\n"
    "keluar    berhenti (atau Ctrl-D). Panah atas/bawah memanggil pertanyaan sebelumnya."
)
CONSOLE_UNKNOWN_COMMAND = "Perintah itu tidak dikenal. Perintah yang ada: /topik, /bantuan, /tentang, keluar."
CONSOLE_AREAS = "Pilih area topik (ketik nomornya):"
CONSOLE_AREA = "{title} — pilih pertanyaan (ketik nomornya):"
CONSOLE_BAD_CHOICE = "Pilihan {n} tidak ada. Ketik nomor 1 sampai {last}, atau tulis pertanyaan baru."
CONSOLE_NO_CHOICE = "Tidak ada pilihan yang sedang ditawarkan. Tulis pertanyaan Anda, atau ketik /topik."

COMMANDS = {
    "start": "Mulai dan contoh pertanyaan",
    "tanya": "Ajukan pertanyaan netralitas ASN",
    "topik": "Jelajahi topik",
    "bantuan": "Cara bertanya",
    "tentang": "Sumber, batasan, dan privasi",
}

# Telegram bot (handlers)
UNANSWERED_ECHO = "❓ <i>{question}</i>"
UNKNOWN_COMMAND = "Perintah itu tidak saya kenal. Tulis saja pertanyaan Anda, atau lihat /bantuan."
INLINE_UNANSWERED = "Belum ada jawaban — tanya langsung ke saya"

# ---------------------------------------------------------------- curators (bot/handlers/curator.py)
CURATOR_COMMANDS = {
    "antrian": "Antrian pertanyaan untuk ditinjau",
    "statistik": "Statistik pertanyaan",
    "ekspor": "Unduh catatan pertanyaan (CSV)",
    "muatulang": "Muat ulang basis pengetahuan",
}
CURATOR_ONLY = "Maaf, perintah ini khusus untuk tim kurator Tanya Netral."
CURATOR_PRIVATE_ONLY = "Perintah kurator hanya bisa dipakai di chat pribadi dengan saya."
CURATOR_LOG_DOWN = "Maaf, catatan pertanyaan sedang tidak bisa dibuka. Coba lagi sebentar lagi."
CURATOR_BAD_BUTTON = "Tombol ini sudah tidak berlaku. Buka lagi /antrian."
QUEUE_EMPTY = "Antrian tinjauan kosong. Terima kasih! 🎉"
QUEUE_HEADER = "<b>Antrian tinjauan</b>: {questions} pertanyaan dalam {groups} grup, terbanyak lebih dulu."
QUEUE_MORE = "Ditampilkan {shown} grup teratas. Tangani dulu, lalu buka /antrian lagi untuk sisanya."
QUEUE_GROUP = "<b>{count}×</b> <i>{sample}</i>"
QUEUE_REASON_UNANSWERED = "belum terjawab {n}"
QUEUE_REASON_UNCHOSEN = "saran tidak dipilih {n}"
QUEUE_REASON_DOWN = "👎 {n}"
QUEUE_ALSO = "Mirip: {samples}"
QUEUE_OFFERED = "Jawaban bot: {entries}"
BUTTON_DONE = "✅ Tandai selesai"
BUTTON_IGNORE = "🚫 Abaikan"
BUTTON_LEARN = "➕ Jadikan contoh untuk: {title}"
BUTTON_LEARN_OTHER = "➕ Jadikan contoh untuk topik lain…"
LEARN_PICK_AREA = "Pilih area topiknya:"
LEARN_PICK_ENTRY = "Pilih topik yang tepat:"
RESOLVED_DONE = "✅ Ditandai selesai ({n} pertanyaan)."
RESOLVED_IGNORED = "🚫 Diabaikan ({n} pertanyaan)."
RESOLVED_ALREADY = "Grup ini sudah ditangani."
LEARNED = "➕ Dijadikan contoh untuk <b>{title}</b>: <i>{question}</i> ({n} pertanyaan ditandai selesai)."
LEARNED_NOT_SAVED = ("⚠️ Contoh sudah dipakai bot, tetapi gagal disimpan ke database dan akan hilang "
                     "setelah bot dijalankan ulang. Coba lagi nanti.")
ENTRY_UNKNOWN = "Topik itu tidak ada di basis pengetahuan."
STATS = (
    "<b>Statistik pertanyaan</b>\n"
    "Hari ini: {today} · 7 hari: {week} · 30 hari: {month}\n"
    "Terjawab langsung (30 hari, tanpa sapaan): {rate}\n"
    "Diberi pilihan: {suggest} · Belum terjawab: {unanswered} · Sapaan: {smalltalk}\n"
    "Penilaian (30 hari): 👍 {up} · 👎 {down}"
)
STATS_AREAS = "<b>Area teratas (30 hari)</b>"
STATS_ENTRIES = "<b>Jawaban teratas (30 hari)</b>"
STATS_QUEUE = "<b>Antrian terbesar (30 hari)</b>"
STATS_ROW = "• {label} — {n}"
EXPORT_CAPTION = "Catatan pertanyaan: {rows} baris{since}. Buka dengan Excel atau spreadsheet lain."
EXPORT_SINCE = " ({age} terakhir)"
EXPORT_USAGE = "Contoh: /ekspor (semua), /ekspor 7d (7 hari terakhir), /ekspor 24h, /ekspor 2w."
RELOAD_OK = "✅ Basis pengetahuan dimuat ulang: {entries} entri, {examples} contoh."
RELOAD_FAILED = ("⚠️ Basis pengetahuan <b>tidak</b> dimuat ulang karena ada {n} masalah; "
                 "bot tetap memakai versi sebelumnya.\n<pre>{problems}</pre>")

# ---------------------------------------------------------------- curators' report (bot/report.py)
REPORT_TITLE = "Laporan Tanya Netral"
REPORT_META = "{days} hari terakhir ({first} s.d. {last}, WIB) · dibuat {generated} WIB · data tanpa identitas penanya"
REPORT_FIG_QUESTIONS = "pertanyaan"
REPORT_FIG_ANSWERED = "terjawab langsung"
REPORT_FIG_SUGGEST = "diberi pilihan"
REPORT_FIG_UNANSWERED = "belum terjawab"
REPORT_FIG_SMALLTALK = "sapaan"
REPORT_FIG_FAILED = "gagal terkirim"
REPORT_FIG_UP = "👍 membantu"
REPORT_FIG_DOWN = "👎 tidak membantu"
REPORT_STATUS = {"answered": "terjawab", "suggest": "diberi pilihan", "unanswered": "belum terjawab",
                 "smalltalk": "sapaan"}
REPORT_PER_DAY = "Pertanyaan per hari menurut hasil"
REPORT_SHARE = "Porsi terjawab langsung per hari (tanpa sapaan)"
REPORT_CLUSTERS = "Kelompok pertanyaan terbesar yang menunggu tinjauan"
REPORT_CLUSTER_COLUMNS = ("jumlah", "contoh pertanyaan", "belum terjawab", "saran tak dipilih", "👎")
REPORT_VOTES = "Penilaian 👍/👎 per jawaban"
REPORT_FAILED = "Jawaban yang gagal terkirim per hari"
REPORT_HOURS = "Jam tersibuk (WIB)"
REPORT_WORDS = "Kata yang belum dikenal bot"
REPORT_WORDS_HINT = ("Kata dalam pertanyaan yang tidak ada di leksikon maupun basis pengetahuan. Tambahkan "
                     "yang penting ke knowledge/lexicon/ (slang, sinonim), lalu jalankan python -m bot kb check.")
REPORT_WORD_COLUMNS = ("kata", "pertanyaan", "contoh")
REPORT_EMPTY = "Belum ada data untuk periode ini."
REPORT_FOOTER = ("Dibuat dengan python -m bot log report. Bukan pendapat hukum resmi; "
                 "angka berasal dari catatan pertanyaan bot.")
REPORT_CAPTION = "Laporan 30 hari terakhir: grafik, antrian terbesar, penilaian dan kata yang belum dikenal. Buka di peramban."

# ---------------------------------------------------------------- learned examples (bot/handlers/teaching.py)
LEARNED_ACTIVE = "Contoh #{id} berlaku mulai pertanyaan berikutnya. Salah pilih? Tekan tombol Batalkan."
LEARNED_PENDING = ("⏳ Contoh #{id} dicatat, tetapi belum dipakai bot: perlu persetujuan kurator lain "
                   "({n}/{needed}). Mereka bisa menyetujuinya dari /antrian.")
LEARNED_ALREADY = "Contoh #{id} sudah ada sebelumnya; tidak ada yang berubah."
LEARNED_GONE = "Contoh itu tidak bisa dicatat. Buka lagi /antrian."
LEARNED_OVERVIEW = "<b>Contoh yang diajarkan</b> (terbaru; berlaku dan menunggu persetujuan)"
LEARNED_LINE = ("#{id} {state}: <i>{question}</i> → <b>{title}</b>\n"
                "oleh kurator {curator} · {when} WIB · dari pertanyaan {qid}")
LEARNED_STATE_ACTIVE = "✅ berlaku"
LEARNED_STATE_PENDING = "⏳ menunggu persetujuan ({n}/{needed})"
LEARNED_STATE_UNDONE = "↩️ dibatalkan"
LEARNED_BY_YOU = "Anda"
BUTTON_UNDO = "↩️ Batalkan #{id}"
BUTTON_APPROVE = "👍 Setujui #{id}"
LEARN_APPROVAL_REQUEST = "🔔 Seorang kurator mengajarkan contoh baru. Setujui agar bot memakainya:"
LEARNED_UNDONE = "↩️ Contoh #{id} dibatalkan; bot sudah melupakannya."
LEARNED_UNDO_ALREADY = "Contoh itu sudah dibatalkan atau tidak ada lagi."
LEARNED_APPROVED_ACTIVE = "✅ Contoh #{id} disetujui dan kini dipakai bot."
LEARNED_APPROVED_PENDING = "👍 Persetujuan Anda untuk contoh #{id} dicatat ({n}/{needed})."
LEARNED_APPROVE_ALREADY = "Anda sudah menyetujui contoh ini; perlu persetujuan kurator lain."

# ---------------------------------------------------------------- weekly digest (bot/handlers/digest.py)
DIGEST = (
    "<b>Ringkasan mingguan Tanya Netral</b> (7 hari terakhir)\n"
    "Pertanyaan: {questions} · terjawab langsung (tanpa sapaan): {rate}\n"
    "Diberi pilihan: {suggest} · Belum terjawab: {unanswered}\n"
    "Penilaian: 👍 {up} · 👎 {down}"
)
DIGEST_QUEUE = "<b>Antrian terbesar minggu ini</b> (tinjau lewat /antrian)"
DIGEST_REPORT = ("Laporan lengkap dengan grafik: ketik /statistik, atau jalankan "
                 "<code>python -m bot log report --out laporan.html</code> di server.")
# ---------------------------------------------------------------- delivery (bot/handlers/feedback.py, expired.py)
FEEDBACK_NOT_YOURS = "Hanya penanya yang bisa menilai jawaban ini."
BUTTON_EXPIRED = "Tombol ini sudah tidak berlaku."
