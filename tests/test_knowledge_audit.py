"""The December 2026 legal audit (shared/audits/legal-2026-12.md), one check per finding.

Each check failed on the knowledge base the audit read and passes on the corrected one.
"""

import re

import pytest

from bot.core import cards
from bot.kb.rules import first_sentence
from bot.kb.model import Verdict

def answered(engine, question: str):
    res = engine.ask(question)
    assert res.status.value == "answered", (question, res.status, [c.entry_id for c in res.candidates])
    return engine.entry(res.entry_id)


def sources_of(entry) -> set[str]:
    return {b.source for b in entry.basis}


def articles(entry, source: str) -> str:
    return " ".join(b.article or "" for b in entry.basis if b.source == source)


# 1. CLTN exists only for PNS.
CLTN_ADVICE = re.compile(r"\b(ambil|ajukan|urus|mengajukan|mengambil|berstatus)\b[^.]*\b(CLTN|cuti di luar tanggungan)", re.I)


def test_no_entry_tells_a_pppk_to_take_cltn(engine):
    advising = [e for e in engine.kb.entries if CLTN_ADVICE.search(e.answer)]
    assert {"pasangan-keluarga-calon", "pendekatan-parpol"} <= {e.id for e in advising}
    for e in advising:
        assert "hanya tersedia bagi PNS" in e.answer, e.id
        assert "PPPK tidak punya CLTN" in (e.for_status("pppk") or ""), e.id
    for e in engine.kb.entries:
        assert not CLTN_ADVICE.search(e.for_status("pppk") or ""), e.id


def test_a_pppk_whose_spouse_runs_is_told_not_to_attend_the_campaign(engine):
    text = engine.entry("pasangan-keluarga-calon").for_status("pppk")
    assert "jangan hadir di deklarasi atau kampanye" in text


def test_cltn_for_pns_states_the_service_condition(engine):
    assert "5 tahun" in engine.entry("pasangan-keluarga-calon").for_status("pns")
    assert "perbkn-7-2021" in sources_of(engine.entry("pasangan-keluarga-calon"))


# 2. Attending a debate in person is campaigning.
def test_watching_a_debate_does_not_allow_attending_in_person(engine):
    watch = engine.entry("menonton-debat")
    assert "Hadir langsung di lokasi debat" in watch.answer and "tidak boleh" in watch.answer.split("Hadir langsung")[1]
    assert "sebaiknya dihindari" not in watch.answer
    attend = answered(engine, "sy PNS boleh dateng langsung ke gedung tempat debat cagub buat nonton?")
    assert attend.topic == "menonton-debat" and attend.verdict is Verdict.DILARANG
    assert "Pasal 26 ayat (1) huruf h" in articles(attend, "pkpu-15-2023")


# 3. An incumbent running again is on leave during the campaign.
def test_an_incumbents_campaign_visit_is_not_an_official_event(engine):
    visit = engine.entry("kunjungan-calon-kantor")
    assert "Pasal 70 ayat (3) dan (4)" in articles(visit, "uu-10-2016")
    assert "wajib cuti di luar tanggungan negara" in visit.answer and "bukan acara dinas" in visit.answer


# 4. A PNS who runs and does not resign is dismissed without honour.
def test_running_for_office_states_dismissal_without_honour(engine):
    run = engine.entry("mencalonkan-diri")
    assert "tidak mengundurkan diri saat ditetapkan sebagai calon diberhentikan tidak dengan hormat" in run.answer
    assert "Pasal 254" in articles(run, "pp-17-2020")
    assert "belum kami pastikan" not in (run.caveat or "")
    assert "pp-17-2020" in engine.kb.sources["pp-11-2017"].amended_by


def test_the_pre_2020_text_is_marked_as_replaced_on_the_card(engine):
    lines = cards.basis_lines(engine.entry("mencalonkan-diri"), engine.kb)
    assert "PP 11/2017 Pasal 254 (diubah PP 17/2020)" in lines


# 5. Running for village head is different.
def test_running_for_village_head_needs_permission_not_resignation(engine):
    entry = answered(engine, "Apakah PNS boleh mencalonkan diri sebagai kepala desa?")
    assert entry.id == "mencalonkan-kepala-desa" and entry.verdict is Verdict.BERSYARAT
    assert "izin tertulis" in entry.answer and "tidak diwajibkan mengundurkan diri" in entry.answer
    assert "keluar dari ASN" not in entry.answer
    assert "Pasal 47" in articles(entry, "permendagri-112-2014")


# 6. Who is bound: CPNS, PPPK.
def test_cpns_are_bound_by_pp_94_and_pppk_discipline_is_the_agencys(engine):
    scope = engine.entry("cakupan-asn")
    assert "belum kami temukan" not in scope.answer
    assert "berlaku juga bagi CPNS" in scope.answer and "kompastv-cpns" in sources_of(scope)
    assert "PP 49/2018" in scope.for_status("pppk")
    notes = engine.kb.status_notes
    assert "PP 49/2018" in notes["pppk"].note and "ditulis untuk PNS" in notes["pppk"].note
    assert "CPNS" in notes["cpns"].note


def test_a_pppk_card_does_not_promise_pns_penalties_alone(engine):
    for eid in ("medsos-like", "alat-peraga", "kampanye-fasilitas-negara"):
        html = cards.render_html(engine.entry(eid), engine.kb, status="pppk")
        assert "Untuk Anda (PPPK):" in html and "PP 49/2018" in html, eid


# 7. Penalty levels per KemenPANRB.
@pytest.mark.parametrize("eid,level", [("kampanye-ikut", "sedang"), ("kegiatan-keberpihakan", "berat"),
                                       ("ajakan-memilih-calon", "berat")])
def test_penalty_levels_are_stated_precisely(engine, eid, level):
    sanction = engine.entry(eid).sanction
    assert f"hukuman disiplin {level}" in sanction or f"disiplin {level}" in sanction
    assert "sedang atau berat" not in sanction and "belum terkonfirmasi" not in sanction


# 8. Supervision after KASN.
def test_supervision_reflects_the_mk_121_ruling(engine):
    watch = engine.entry("pengawas-netralitas")
    assert "uji materi" not in (watch.caveat or "")
    assert "121/PUU-XXII/2024" in watch.answer and "putusan-mk-121-2024" in sources_of(watch)
    ruling = answered(engine, "apa isi putusan MK 121/PUU-XXII/2024?")
    assert "dua tahun" in ruling.answer and ruling.recheck


# 9. Reporting deadline and SBT.
def test_the_reporting_deadline_and_sbt_are_known(engine):
    deadline = answered(engine, "berapa hari batas waktu melapor pelanggaran pemilu ke bawaslu?")
    assert "7 hari kerja" in deadline.answer and "tidak diregistrasi" in deadline.answer
    assert "Pasal 454 ayat (4) dan (6)" in articles(deadline, "uu-7-2017")
    sbt = answered(engine, "SBT itu aplikasi apa ya buat lapor asn?")
    assert "Sistem Berbagi Terintegrasi" in sbt.answer and sbt.topic == "lapor-pelanggaran"


# 10. MK 136, UU 1/2024, UU 20/2023 Pasal 24.
def test_pilkada_pasal_188_reaches_regional_officials_and_tni_polri(engine):
    for eid in ("sanksi-pidana", "keputusan-menguntungkan"):
        e = engine.entry(eid)
        assert "putusan-mk-136-2024" in sources_of(e) and "TNI/Polri" in (e.answer + (e.sanction or "")), eid
    assert answered(engine, "apa isi putusan MK 136/PUU-XXII/2024?").id == "putusan-mk-136"


def test_hate_speech_cites_ite_after_uu_1_2024(engine):
    hoax = engine.entry("hoaks-ujaran-kebencian")
    assert "Pasal 28 ayat (2) dan (3)" in articles(hoax, "uu-1-2024")
    assert "Media (2018) menyebut ancaman UU ITE Pasal 28 ayat (1)" not in hoax.sanction


def test_the_duty_of_neutrality_cites_uu_20_2023_pasal_24(engine):
    for eid in ("definisi-netralitas", "dasar-hukum-umum"):
        assert "Pasal 24 ayat (1) huruf d" in articles(engine.entry(eid), "uu-20-2023"), eid


# Badge and text disagree.
def test_contested_donations_show_the_safe_course_and_both_readings(engine):
    gift = engine.entry("sumbangan-dana-kampanye")
    assert gift.verdict is Verdict.DIPERDEBATKAN and gift.answer.startswith("Sikap aman:")
    assert len(gift.readings) == 2 and all(r.sources for r in gift.readings)
    text = cards.render_text(gift, engine.kb)
    assert text.index("Sikap aman") < text.index("Pendapat yang berbeda") < text.index("KIP Gayo Lues")


@pytest.mark.parametrize("eid,opening", [
    ("kampanye-ikut", "Tidak boleh"),
    ("kunjungan-calon-kantor", "Boleh"),
    ("saksi-tps-paslon", "Tidak boleh, menurut pernyataan Bawaslu daerah"),
])
def test_cards_whose_text_took_back_the_badge_now_open_with_it(engine, eid, opening):
    assert first_sentence(engine.entry(eid).answer).startswith(opening)


def test_attending_a_campaign_stays_prohibited_with_the_contested_reading_inside(engine):
    rally = engine.entry("kampanye-ikut")
    assert rally.verdict is Verdict.DILARANG
    assert any("Mendagri" in r.by for r in rally.readings) and any("Bawaslu" in r.by for r in rally.readings)
