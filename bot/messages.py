"""Every user-facing Indonesian text in one place, for curators and translators."""

from __future__ import annotations

BADGES = {
    "dilarang": ("❌", "DILARANG"),
    "boleh": ("✅", "BOLEH"),
    "bersyarat": ("⚠️", "BERSYARAT"),
    "info": ("ℹ️", "INFO"),
}

LABEL_BASIS = "Dasar hukum"
LABEL_SANCTION = "Sanksi"
LABEL_SOURCES = "Sumber"
LABEL_CAVEAT = "Catatan"
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

COMMANDS = {
    "start": "Mulai dan contoh pertanyaan",
    "tanya": "Ajukan pertanyaan netralitas ASN",
    "topik": "Jelajahi topik",
    "bantuan": "Cara bertanya",
    "tentang": "Sumber, batasan, dan privasi",
}
