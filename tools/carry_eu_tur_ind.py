"""One-off: carry ../shared/reference's EU/Türkiye/India timeline and opinion polls into the reference pack.

Run once by hand (it is not part of `silkscope build`); it prints the rows it would append and, with --write,
appends them to src/silkscope/reference_pack/{events,sources,opinion}.csv. Conventions follow the rows carried
earlier from leader_visits_2000_2026.csv: one source row per URL, event types and levels from the pack's
vocabulary (the input's own wording kept in the note when it maps loosely), hosts never listed among visitors,
one trip id per journey, summits of multilateral organisations (Turkic Council/OTS, SCO, CICA, ECO) typed
`organisation_summit` so they are meetings and never bilateral visits.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "src" / "silkscope" / "reference_pack"
SHARED = ROOT.parent / "shared" / "reference"
C5 = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
NAMES = {
    "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan",
    "TJK": "Tajikistan",
    "TKM": "Turkmenistan",
    "UZB": "Uzbekistan",
    "TUR": "Türkiye",
    "IND": "India",
    "EUU": "the EU institutions (Brussels)",
    "AZE": "Azerbaijan",
    "DEU": "Germany",
    "LUX": "Luxembourg",
    "HUN": "Hungary",
}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Publisher and kind per web domain (the pack's sources.csv names publishers, not domains).
PUBLISHERS = {
    "24.kg": ("24.kg", "news"),
    "abcnews.go.com": ("ABC News (AP)", "news"),
    "abdullahgul.gen.tr": ("Abdullah Gül (personal archive site)", "official"),
    "agenzianova.com": ("Agenzia Nova", "news"),
    "akdenizim.net": ("akdenizim.net", "news"),
    "alaturka.us": ("Alaturka.us", "news"),
    "albawaba.com": ("Al Bawaba", "news"),
    "anantacentre.in": ("Ananta Centre", "analysis"),
    "anews.com.tr": ("A News", "news"),
    "ankasam.org": ("ANKASAM (Ankara Center for Crisis and Policy Studies)", "analysis"),
    "archive.siasat.com": ("The Siasat Daily", "news"),
    "archivepmo.nic.in": ("Prime Minister's Office of India (archive)", "official"),
    "armenianclub.com": ("armenianclub.com (news reprint)", "news"),
    "arsiv.sabah.com.tr": ("Sabah", "news"),
    "articles-by-ramesh-ramachandran.blogspot.com": ("Ramesh Ramachandran (journalist's blog)", "news"),
    "asianlite.com": ("Asian Lite", "news"),
    "asiaplus.news": ("Asia-Plus", "news"),
    "asiaplustj.info": ("Asia-Plus", "news"),
    "astanatimes.com": ("The Astana Times", "news"),
    "auswaertiges-amt.de": ("Federal Foreign Office of Germany", "official"),
    "azernews.az": ("AzerNews", "news"),
    "bolgegundem.com.tr": ("Bölge Gündem", "news"),
    "brightuzbekistan.uz": ("Bright Uzbekistan", "news"),
    "brusselstimes.com": ("The Brussels Times", "news"),
    "byturco.com": ("byturco.com", "news"),
    "cacianalyst.org": ("Central Asia-Caucasus Analyst (CACI)", "analysis"),
    "cacianalyst.org.": ("Central Asia-Caucasus Analyst (CACI)", "analysis"),
    "central.asia-news.com": ("Caravanserai (central.asia-news.com)", "news"),
    "commonspace.eu": ("commonspace.eu", "news"),
    "dailyexcelsior.com": ("Daily Excelsior", "news"),
    "dailysabah.com": ("Daily Sabah", "news"),
    "deccanherald.com": ("Deccan Herald", "news"),
    "defencexp.com": ("DefenceXP", "news"),
    "demo10.sitefabrikasi.com": ("Organization of Turkic States (site mirror)", "official"),
    "devranmedia.com": ("Devran Media", "news"),
    "dogruhaber.com.tr": ("Doğru Haber", "news"),
    "dunya.com": ("Dünya", "news"),
    "einpresswire.com": ("EIN Presswire", "news"),
    "eng.khovar.tj": ("Khovar (National Information Agency of Tajikistan)", "news"),
    "eoi.gov.in": ("Embassy of India, Tashkent", "official"),
    "eubuzz.news": ("EU Buzz", "news"),
    "eumonitor.nl": ("EU Monitor (Parlement.com)", "news"),
    "euobserver.com": ("EUobserver", "news"),
    "euractiv.com": ("Euractiv", "news"),
    "eurasia.ro": ("eurasia.ro", "news"),
    "eurasian-research.org": ("Eurasian Research Institute", "analysis"),
    "eurasianet.org": ("Eurasianet", "news"),
    "euronews.com": ("Euronews", "news"),
    "europa.eu": ("European Commission (press corner)", "official"),
    "filipino.cri.cn": ("China Radio International (Filipino service)", "news"),
    "gazeta.uz": ("Gazeta.uz", "news"),
    "guangzhou.mfa.uz": ("Consulate General of Uzbekistan in Guangzhou", "official"),
    "gundogar-news.com": ("Gundogar", "news"),
    "haberrizem.com": ("Haber Rize", "news"),
    "hindustantimes.com": ("Hindustan Times", "news"),
    "hurriyet.com.tr": ("Hürriyet", "news"),
    "hurriyetdailynews.com": ("Hürriyet Daily News", "news"),
    "idsa.in": ("Manohar Parrikar Institute for Defence Studies and Analyses (IDSA)", "analysis"),
    "idsa.in.": ("Manohar Parrikar Institute for Defence Studies and Analyses (IDSA)", "analysis"),
    "ieu-monitoring.com": ("IEU Monitoring", "news"),
    "imolaoggi.it": ("ImolaOggi", "news"),
    "indianexpress.com": ("The Indian Express", "news"),
    "indiastrategic.in": ("India Strategic", "news"),
    "indiatoday.in": ("India Today", "news"),
    "inform.kz": ("Kazinform", "news"),
    "intellinews.com": ("bne IntelliNews", "news"),
    "internethaber.com": ("İnternet Haber", "news"),
    "jamestown.org": ("The Jamestown Foundation", "analysis"),
    "kanemtoday.com": ("kanemtoday.com", "news"),
    "kazworld.info": ("KazWorld", "news"),
    "kun.uz": ("Kun.uz", "news"),
    "kureansiklopedi.com": ("Küre Ansiklopedi", "analysis"),
    "livemint.com": ("Mint", "news"),
    "magyarnemzet.hu": ("Magyar Nemzet", "news"),
    "menafn.com": ("MENAFN", "news"),
    "mfa.gov.tr": ("Ministry of Foreign Affairs of Türkiye", "official"),
    "mid-day.com": ("Mid-Day", "news"),
    "minanews.net": ("MINA (Mi'raj News Agency)", "news"),
    "mirror.akorda.kz": ("President of Kazakhstan (Akorda), site mirror", "official"),
    "mk.kg": ("MK Kyrgyzstan", "news"),
    "moneycontrol.com": ("Moneycontrol", "news"),
    "narendramodi.in": ("Narendra Modi (official website)", "official"),
    "newindianexpress.com": ("The New Indian Express", "news"),
    "news.az": ("News.az", "news"),
    "news.tj": ("news.tj", "news"),
    "newscentralasia.net": ("News Central Asia", "news"),
    "newsunrolled.com": ("newsunrolled.com", "news"),
    "nomad.su": ("Nomad.su", "news"),
    "old.president.uz": ("President of Uzbekistan (archive)", "official"),
    "oneindia.com": ("OneIndia", "news"),
    "oreanda-news.com": ("Oreanda News", "news"),
    "orient.tm": ("Orient (Turkmenistan)", "news"),
    "outlookindia.com": ("Outlook India", "news"),
    "patronlardunyasi.com": ("Patronlar Dünyası", "news"),
    "perceptiotr.com": ("perceptiotr.com (copied encyclopedia page)", "news"),
    "pib.gov.in": ("Press Information Bureau, Government of India", "official"),
    "pmindia.gov.in": ("Prime Minister of India", "official"),
    "pranabmukherjee.nic.in": ("President of India (Pranab Mukherjee archive)", "official"),
    "pratibhapatil.nic.in": ("President of India (Pratibha Patil archive)", "official"),
    "president.az": ("President of Azerbaijan", "official"),
    "president.uz": ("President of Uzbekistan", "official"),
    "pubaffairsbruxelles.eu": ("Pub Affairs Bruxelles (republishing the European Council)", "news"),
    "qalampir.uz": ("Qalampir.uz", "news"),
    "questia.com": ("Questia (Europe Information Service reprint)", "news"),
    "raqobat.gov.uz": ("Competition Promotion Committee of Uzbekistan", "official"),
    "rediff.com": ("Rediff", "news"),
    "registan.net": ("Registan.net", "analysis"),
    "rferl.org": ("Radio Free Europe/Radio Liberty", "news"),
    "rustopnews.ru": ("rustopnews.ru", "news"),
    "sauress.com": ("sauress.com (news reprint)", "news"),
    "silkroadnews.org": ("Silk Road News", "news"),
    "singapore.mfa.uz": ("Embassy of Uzbekistan in Singapore", "official"),
    "smiraponitke.com": ("smiraponitke.com", "news"),
    "super.kg": ("Super.kg", "news"),
    "t24.com.tr": ("T24", "news"),
    "tashkenttimes.uz": ("Tashkent Times", "news"),
    "tccb.gov.tr": ("Presidency of the Republic of Türkiye", "official"),
    "tdh.gov.tm": ("Turkmenistan State News Agency (TDH)", "official"),
    "tengrinews.kz": ("Tengrinews", "news"),
    "theasian.asia": ("The AsiaN", "news"),
    "thebluemoon2008.com": ("thebluemoon2008.com", "news"),
    "thehawk.in": ("The Hawk", "news"),
    "thehindu.com": ("The Hindu", "news"),
    "thehindubusinessline.com": ("The Hindu BusinessLine", "news"),
    "thestatesman.com": ("The Statesman", "news"),
    "timesca.com": ("The Times of Central Asia", "news"),
    "timeturk.com": ("TimeTurk", "news"),
    "tlchaber.com": ("tlchaber.com", "news"),
    "tm.vesti.news": ("Vesti (Turkmenistan edition)", "news"),
    "today.az": ("Today.az", "news"),
    "todayszaman.com": ("Today's Zaman", "news"),
    "trend.az": ("Trend News Agency", "news"),
    "trt.global": ("TRT Global", "news"),
    "turkishpress.com": ("Turkish Press", "news"),
    "turkiyegazetesi.com.tr": ("Türkiye Gazetesi", "news"),
    "turkmenistan.gov.tm": ("Government of Turkmenistan (turkmenistan.gov.tm)", "official"),
    "turkmenistan.ru": ("Turkmenistan.ru", "news"),
    "turksam.manas.edu.kg": ("TÜRKSAM (Kyrgyz-Turkish Manas University)", "analysis"),
    "twocircles.net": ("TwoCircles.net", "news"),
    "uludagsozluk.com": ("Uludağ Sözlük (user forum)", "news"),
    "urdupoint.com": ("UrduPoint", "news"),
    "uzbekembassy.in": ("Embassy of Uzbekistan in India", "official"),
    "uzdaily.uz": ("UzDaily", "news"),
    "vestikavkaza.ru": ("Vestnik Kavkaza", "news"),
    "worldbulletin.dunyabulteni.net": ("World Bulletin", "news"),
    "writerasia.blogspot.com": ("writerasia (blog)", "news"),
    "yeniasir.com.tr": ("Yeni Asır", "news"),
    "zamanturkmenistan.com.tm": ("Zaman Turkmenistan", "news"),
    # opinion_polls.csv
    "mediaplov.asia": ("Mediaplov", "news"),
    "news-intech.blogspot.com": ("news-intech (blog repost)", "news"),
    "ozodlik.org": ("Radio Ozodlik (RFE/RL Uzbek Service)", "news"),
    "poland.postsen.com": ("postsen.com (news aggregator)", "news"),
    "diplomaticourier.com": ("Diplomatic Courier", "analysis"),
    "minerva.defense.gov": (
        "Minerva Research Initiative (U.S. Department of Defense), Owl in the Olive Tree",
        "analysis",
    ),
    "theriseofrussia.blogspot.com": ("theriseofrussia (blog repost)", "news"),
    "greece.news-pravda.com": ("news-pravda.com (pro-Kremlin aggregator)", "news"),
    "ca-barometer.org": ("Central Asia Barometer", "dataset"),
    "demos.kz": ("Demoscope (Kazakhstan)", "dataset"),
    "breakinglatest.news": ("Breaking Latest News (republishing Reuters)", "news"),
    "eabr.org": ("Eurasian Development Bank", "analysis"),
    "vlast.kz": ("Vlast.kz", "news"),
    "mofa.go.jp": ("Ministry of Foreign Affairs of Japan", "official"),
}


def domain(url: str) -> str:
    return re.sub(r"^(www\.|m\.|en\.|mail\.)", "", url.split("/")[2])


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


class Sources:
    """One row per URL; reuses the ids already in sources*.csv."""

    def __init__(self):
        self.by_url: dict[str, str] = {}
        self.ids: set[str] = set()
        for name in ("sources.csv", "sources_figures.csv"):
            for r in csv.DictReader((PACK / name).open(encoding="utf-8")):
                self.ids.add(r["source_id"])
                if r["url"]:
                    self.by_url[r["url"]] = r["source_id"]
        self.new: list[dict[str, str]] = []

    def get(self, url: str, stamp: str, title: str) -> str:
        if url in self.by_url:
            return self.by_url[url]
        publisher, kind = PUBLISHERS[domain(url)]
        base = "src_" + re.sub(r"[^a-z0-9]", "", domain(url).lower())[:18] + "_" + stamp
        sid, n = base, 2
        while sid in self.ids:
            sid, n = f"{base}_{n}", n + 1
        self.ids.add(sid)
        self.by_url[url] = sid
        cited = f"Cited for: {title}"
        self.new.append(
            {
                "source_id": sid,
                "kind": kind,
                "publisher": publisher,
                "title": cited,
                "url": url,
                "licence": "cited for facts; (c) publisher",
                "accessed": "",
                "citation": f'{publisher}, "{cited}", {url}',
            }
        )
        return sid


def when(start: str, end: str) -> str:
    """'25-26 Apr 2006', 'Jul 2008', '2003'."""

    def part(d):
        bits = d.split("-")
        return bits

    s, e = part(start), part(end)
    if len(s) == 1:
        return s[0]
    if len(s) == 2:
        return f"{MONTHS[int(s[1]) - 1]} {s[0]}"
    if s == e:
        return f"{int(s[2])} {MONTHS[int(s[1]) - 1]} {s[0]}"
    if s[:2] == e[:2]:
        return f"{int(s[2])}-{int(e[2])} {MONTHS[int(s[1]) - 1]} {s[0]}"
    if s[0] == e[0]:
        return f"{int(s[2])} {MONTHS[int(s[1]) - 1]}-{int(e[2])} {MONTHS[int(e[1]) - 1]} {s[0]}"
    return f"{start} to {end}"


# Who holds which office, for the level of a visit (the pack's vocabulary; the EU has no head of state or
# government: the President of the European Council is recorded at head_of_state level, the President of the
# Commission at head_of_government level, the High Representative at foreign_minister level).
HEAD_OF_STATE = (
    "Sezer",
    "Gul",
    "Patil",
    "Kovind",
    "Michel",
    "Tusk",
    "Nazarbayev",
    "Karimov",
    "Rahmon",
    "Berdimuhamedov",
    "Otunbayeva",
    "Atambayev",
    "Jeenbekov",
    "Mirziyoyev",
    "Japarov",
    "Tokayev",
    "Erdogan",
    "Presidents",
    "Costa",
)
HEAD_OF_GOVERNMENT = ("Vajpayee", "Manmohan Singh", "Modi", "Barroso", "(PM)")

# Rows whose type, format, trip or title the general rules below do not settle (1-based input line numbers).
SUMMIT = "organisation_summit"
ROWS: dict[int, dict] = {
    1: dict(
        trip="trip_tur_200010_sezer",
        title="Ahmet Necdet Sezer official visits to Uzbekistan, Kazakhstan, "
        "Kyrgyzstan and Turkmenistan, 16-20 Oct 2000",
        note_extra="One row covering four stops.",
    ),
    2: dict(type=SUMMIT, slug="turkic_speaking_summit7_tur"),
    4: dict(type="official_visit"),
    11: dict(type=SUMMIT, slug="turkic_speaking_summit8_tur", add=["AZE"]),
    13: dict(type="ceremonial"),
    14: dict(
        type="dialogue_launch", fmt="fmt_eu_ca_ministerial", slug="eu_ca_ministerial1_kaz", level="foreign_minister"
    ),
    15: dict(
        type="policy_milestone",
        slug="eu_ca_strategy_2007",
        level="none",
        visitors=["EUU"],
        hosts=C5,
        title="EU Strategy for a New Partnership with Central Asia adopted by the European Council, 21-22 Jun 2007",
    ),
    16: dict(
        type="dialogue_ministerial",
        fmt="fmt_eu_ca_ministerial",
        slug="eu_ca_ministerial2_deu",
        level="foreign_minister",
        visitors=C5,
    ),
    18: dict(type="ceremonial"),
    22: dict(trip="trip_tur_200905_gul"),
    23: dict(trip="trip_tur_200905_gul"),
    25: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="turkic_speaking_summit9_aze_nakhchivan"),
    29: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="turkic_speaking_summit10_tur", add=["AZE"]),
    37: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="turkic_council_summit1_kaz", add=["AZE"]),
    # split: the Turkic Council summit (a format meeting) and Gül's official visit that followed it
    40: dict(
        type=SUMMIT,
        fmt="fmt_turkic_council",
        slug="turkic_council_summit2_kgz",
        add=["AZE"],
        date=("2012-08-23", "2012-08-23"),
        title="2nd Turkic Council Summit, Bishkek, 23 Aug 2012",
        split=dict(
            type="official_visit",
            visitors=["TUR"],
            person="Abdullah Gul",
            date=("2012-08-22", "2012-08-24"),
            trip="trip_tur_201208_gul",
            id="ev_20120822_tur_gul_kgz",
            title="Abdullah Gul official visit to Kyrgyzstan, 22-24 Aug 2012",
            note="Official visit around the 2nd Turkic Council Summit (23 Aug, recorded as its own "
            "meeting); Gul left early for health reasons. Split from one input row "
            "('multilateral summit + official visit').",
        ),
    ),
    44: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="turkic_council_summit3_aze"),
    46: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="turkic_council_summit4_tur", add=["AZE"]),
    47: dict(type="ceremonial"),
    50: dict(trip="trip_ind_201507_modi"),
    51: dict(trip="trip_ind_201507_modi"),
    52: dict(trip="trip_ind_201507_modi"),
    53: dict(trip="trip_ind_201507_modi"),
    54: dict(trip="trip_ind_201507_modi"),
    55: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="turkic_council_summit5_kaz", add=["AZE"]),
    56: dict(level="officials"),
    58: dict(type=SUMMIT, slug="ind_modi_sco_summit_uzb"),
    60: dict(type="official_visit", status="planned"),
    64: dict(type=SUMMIT, slug="ind_modi_sco_summit_kaz"),
    65: dict(
        type="policy_milestone",
        slug="eu_council_conclusions_ca_2017",
        level="none",
        visitors=["EUU"],
        hosts=C5,
        title="Council of the EU conclusions asking for a new Central Asia strategy, Luxembourg, 19 Jun 2017",
        note_extra="Adopted in Luxembourg; host_iso3 lists the states the policy addresses.",
    ),
    66: dict(type="official_visit"),
    68: dict(
        type="dialogue_ministerial",
        fmt="fmt_eu_ca_ministerial",
        slug="eu_ca_ministerial13_uzb",
        level="foreign_minister",
    ),
    70: dict(trip="trip_tur_201804_erdogan"),
    71: dict(trip="trip_tur_201809_erdogan"),
    72: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="turkic_council_summit6_kgz", add=["AZE", "HUN"]),
    75: dict(type="dialogue_launch", fmt="fmt_india_ca", slug="india_ca_dialogue1_uzb", level="foreign_minister"),
    77: dict(
        type="policy_milestone",
        slug="eu_ca_strategy_2019",
        level="none",
        visitors=["EUU"],
        hosts=C5,
        title="New EU Strategy on Central Asia: joint communication 15 May, adopted by the Council 17 Jun 2019",
    ),
    78: dict(trip="trip_euu_201905_tusk"),
    79: dict(trip="trip_euu_201905_tusk"),
    80: dict(trip="trip_euu_201905_tusk"),
    81: dict(type="official_visit"),
    82: dict(type=SUMMIT, slug="tur_erdogan_cica_summit_tjk"),
    83: dict(
        type="dialogue_ministerial",
        fmt="fmt_eu_ca_ministerial",
        slug="eu_ca_ministerial15_kgz",
        level="foreign_minister",
    ),
    84: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="turkic_council_summit7_aze", level="head_of_state"),
    86: dict(
        type="dialogue_ministerial", fmt="fmt_india_ca", slug="india_ca_dialogue2_virtual", level="foreign_minister"
    ),
    87: dict(
        type="dialogue_ministerial",
        fmt="fmt_eu_ca_ministerial",
        slug="eu_ca_ministerial16_virtual",
        level="foreign_minister",
    ),
    88: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="turkic_council_informal_virtual", add=["AZE", "HUN"]),
    91: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="ots_summit8_tur", add=["AZE", "HUN"]),
    92: dict(
        type="dialogue_ministerial",
        fmt="fmt_eu_ca_ministerial",
        slug="eu_ca_ministerial17_tjk",
        level="foreign_minister",
    ),
    93: dict(type="official_visit"),
    94: dict(type="dialogue_ministerial", fmt="fmt_india_ca", slug="india_ca_dialogue3_ind", level="foreign_minister"),
    95: dict(
        type="ceremonial",
        status="cancelled",
        slug="c5_republic_day_ind",
        level="head_of_state",
        title="Invitation of the five Central Asian presidents as Republic Day chief guests, New Delhi, 26 Jan "
        "2022 (cancelled)",
    ),
    96: dict(type="multilateral_summit", fmt="fmt_india_ca", slug="india_ca_summit1_virtual"),
    97: dict(trip="trip_tur_202203_erdogan"),
    100: dict(type=SUMMIT, slug="tur_erdogan_sco_summit_uzb"),
    101: dict(type=SUMMIT, slug="ind_modi_sco_summit_uzb"),
    102: dict(type="official_visit"),
    103: dict(trip="trip_euu_202210_michel"),
    104: dict(type="multilateral_summit", fmt="fmt_eu_ca_leaders", slug="eu_ca_leaders1_kaz"),
    105: dict(trip="trip_euu_202210_michel"),
    106: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="ots_summit9_uzb", add=["AZE", "HUN"]),
    107: dict(
        type="dialogue_ministerial",
        fmt="fmt_eu_ca_ministerial",
        slug="eu_ca_ministerial18_uzb",
        level="foreign_minister",
    ),
    108: dict(type=SUMMIT, slug="tur_aze_tkm_trilateral_summit1_tkm", add=["AZE"]),
    109: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="ots_extraordinary_summit_tur", add=["AZE", "HUN"]),
    # the leaders' meeting and the bilateral visit the next day were one journey of the Council President
    110: dict(
        type="multilateral_summit", fmt="fmt_eu_ca_leaders", slug="eu_ca_leaders2_kgz", trip="trip_euu_202306_michel"
    ),
    111: dict(type="ceremonial"),
    112: dict(trip="trip_euu_202306_michel"),
    113: dict(
        type="dialogue_ministerial",
        fmt="fmt_eu_ca_ministerial",
        slug="eu_ca_ministerial19_lux",
        level="foreign_minister",
        visitors=C5,
    ),
    115: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="ots_summit10_kaz", add=["AZE", "HUN"]),
    116: dict(type=SUMMIT, slug="tur_erdogan_eco_summit_uzb"),
    117: dict(
        type="conference",
        slug="eu_ca_investors_forum_euu",
        level="minister",
        visitors=C5,
        title="Global Gateway Europe-Central Asia Investors Forum on transport connectivity, Brussels, 29-30 Jan 2024",
    ),
    118: dict(level="former_head_of_state"),
    120: dict(
        type=SUMMIT,
        status="cancelled",
        slug="ind_modi_sco_summit_kaz_skipped",
        level="head_of_government",
        title="Narendra Modi's attendance at the SCO summit, Astana, 3-4 Jul 2024 (did not attend)",
    ),
    121: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="ots_informal_summit_aze_shusha", add=["AZE", "HUN"]),
    122: dict(trip="trip_tur_202411_erdogan"),
    123: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="ots_summit11_kgz", add=["AZE", "HUN"]),
    124: dict(
        type="dialogue_ministerial",
        fmt="fmt_eu_ca_ministerial",
        slug="eu_ca_ministerial20_tkm",
        level="foreign_minister",
    ),
    125: dict(type="multilateral_summit", fmt="fmt_eu_ca", slug="eu_ca_summit1_uzb"),
    126: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="ots_informal_summit_hun", add=["AZE"]),
    127: dict(type="dialogue_ministerial", fmt="fmt_india_ca", slug="india_ca_dialogue4_ind", level="foreign_minister"),
    128: dict(type=SUMMIT, fmt="fmt_turkic_council", slug="ots_summit12_aze", add=["HUN"]),
    129: dict(type="official_visit", status="planned"),
    130: dict(
        type="conference",
        title="Recep Tayyip Erdogan at the International Forum for Peace and Trust, Ashgabat, 11-12 Dec 2025",
    ),
}

TYPES = {  # input event_type -> pack event_type (rows above override)
    "official visit": "official_visit",
    "official visits": "official_visit",
    "state visit": "state_visit",
    "working visit": "working_visit",
    "visit": "visit",
    "ceremonial": "ceremonial",
    "multilateral summit": "multilateral_summit",
}
EXACT_TYPES = {
    "official visit",
    "official visits",
    "state visit",
    "working visit",
    "visit",
    "ceremonial",
    "multilateral summit",
    "policy milestone",
    "dialogue format (ministerial)",
}


def pack_type(text: str) -> str:
    base = re.sub(r"\s*\(.*?\)", "", text).split(" +")[0].split(" -")[0].strip()
    return TYPES[base]


def level_of(person: str, kind: str) -> str:
    if "Chairman of Halk Maslahaty" in person:
        return "former_head_of_state"
    if any(k in person for k in HEAD_OF_GOVERNMENT):
        return "head_of_government"
    if any(k in person for k in HEAD_OF_STATE):
        return "head_of_state"
    raise ValueError(f"no level for {person!r} ({kind})")


def surname(person: str) -> str:
    person = re.sub(r"\s*\(.*", "", person).strip()
    if person.startswith("Manmohan Singh"):
        return "singh"
    return slug(person.split()[-1])


TYPE_WORDS = {
    "official_visit": "official visit",
    "state_visit": "state visit",
    "working_visit": "working visit",
    "visit": "visit",
    "ceremonial": "ceremonial visit",
    "conference": "attendance at a conference",
}


def events(sources: Sources) -> list[dict[str, str]]:
    rows = list(csv.DictReader((SHARED / "leader_visits_eu_tur_ind_2000_2026.csv").open(encoding="utf-8")))
    assert len(rows) == 131, len(rows)  # the README's count: a changed file needs a fresh look, not a rerun
    out = []
    for n, r in enumerate(rows, 1):
        spec = ROWS.get(n, {})
        start, end = spec.get("date", (r["date_start"], r["date_end"]))
        precision = r["date_precision"]
        visitors = [v for v in r["visitor_country"].split(";") if v]
        hosts = spec.get("hosts") or [h for h in r["host_country"].split(";") if h]
        notes = []
        if spec.get("visitors"):
            dropped = [v for v in visitors if v not in spec["visitors"]]
            visitors = list(spec["visitors"])
            if dropped and "hosts" not in spec:
                notes.append(f"Visitors given as {r['visitor_country']}; {', '.join(dropped)} hosted the meeting.")
        fixed = [v for v in visitors if v in hosts]
        if fixed:
            visitors = [v for v in visitors if v not in hosts]
            notes.append(f"Host fix: the source row listed {', '.join(fixed)} among the visitors; it hosted.")
        added = [a for a in spec.get("add", []) if a not in visitors and a not in hosts]
        if added:
            visitors += added
            notes.append(f"{', '.join(added)} added to the visitors from the attendance text (not a tracked partner).")
        kind = spec.get("type") or pack_type(r["event_type"])
        status = spec.get("status", "held")
        text = f"{r['event_type']} {r['event']}".lower()
        mode = "virtual" if ("virtual" in text or "videoconference" in text) else "in_person"
        person = r["visitor_leader"]
        level = spec.get("level") or level_of(person, kind)
        fmt = spec.get("fmt", "")
        trip = spec.get("trip", "")
        stamp = "".join(start.split("-"))
        if "slug" in spec:
            event_id = f"ev_{stamp}_{spec['slug']}"
        else:
            who = visitors[0].lower()
            event_id = f"ev_{stamp}_{who}_{surname(person)}_{'_'.join(h.lower() for h in hosts)}"
            if not trip and kind not in (SUMMIT, "policy_milestone") and status == "held":
                trip = f"trip_{who}_{stamp[:6]}_{surname(person)}"
        if "title" in spec:
            title = spec["title"]
        elif "slug" in spec:
            title = r["event"].split(";")[0].split(": ")[0]
            title = f"{title}, {when(start, end)}" if not re.search(r"\d{4}", title) else title
        else:
            places = ", ".join(NAMES[h] for h in hosts[:-1]) + (" and " if len(hosts) > 1 else "") + NAMES[hosts[-1]]
            person_short = re.sub(r"\s*\(.*", "", person).strip()
            title = f"{person_short} {TYPE_WORDS.get(kind, kind)} to {places}, {when(start, end)}"
            if status != "held":
                title += f" ({status})"
        if r["event_type"] not in EXACT_TYPES:
            notes.append(f"Input event_type: '{r['event_type']}'.")
        if mode == "virtual":
            notes.append("Virtual meeting (videoconference): a meeting, not a visit.")
        if kind == SUMMIT:
            notes.append(
                "Summit of a multilateral organisation or summit series in which the partner is one of "
                "several members: counted as a meeting (of its format, if any), never as a bilateral visit."
            )
        if spec.get("note_extra"):
            notes.append(spec["note_extra"])
        urls = [u.strip() for u in r["source"].split(" ; ") if u.strip()]
        ids = [sources.get(u, stamp, title) for u in urls]
        base = {
            "date_precision": precision,
            "status": status,
            "mode": mode,
            "confidence": r["confidence"],
            "source_ids": ";".join(dict.fromkeys(ids)),
            "citation_status": "cited",
        }
        note = " ".join([f"{r['event']}." if not r["event"].endswith(".") else r["event"], *notes])
        out.append(
            {
                "event_id": event_id,
                "date_start": start,
                "date_end": end,
                **base,
                "event_type": kind,
                "level": level,
                "visitor_iso3": ";".join(visitors),
                "visitor_person": person,
                "host_iso3": ";".join(hosts),
                "trip_id": trip,
                "format_id": fmt,
                "title": title,
                "note": note,
            }
        )
        if "split" in spec:
            s = spec["split"]
            out.append(
                {
                    "event_id": s["id"],
                    "date_start": s["date"][0],
                    "date_end": s["date"][1],
                    **base,
                    "event_type": s["type"],
                    "level": "head_of_state",
                    "visitor_iso3": ";".join(s["visitors"]),
                    "visitor_person": s["person"],
                    "host_iso3": ";".join(hosts),
                    "trip_id": s["trip"],
                    "format_id": "",
                    "title": s["title"],
                    "note": s["note"],
                }
            )
    return out


# Poll questions, kept apart by wording: each gets a stable indicator name (docs/reference-pack.md lists them).
INDICATORS = [
    (r"job performance of the leadership", "opinion_leadership_approval_share", "approval"),
    (
        r"which is more important: close relationship|^same question$",
        "opinion_closer_relations_priority_share",
        "priority",
    ),
    (r"side supported|which side", "opinion_war_side_support_share", "warside"),
    (r"assess\w* (of )?(current )?relations between", "opinion_relations_good_share", "relations"),
    (r"economic threat", "opinion_economic_threat_share", "econthreat"),
    (r"most important economic partners", "opinion_main_economic_partner_share", "econpartner"),
    (r"biggest threat", "opinion_biggest_threat_share", "threat"),
    (r"role russia plays", "opinion_regional_role_share", "role"),
    (r"most reliable", "opinion_most_reliable_partner_share", "reliable"),
    (r"important partners", "opinion_important_partner_share", "partner"),
    (r"view your country's relations with japan", "opinion_relations_friendly_share", "friendly"),
    (r"is japan reliable", "opinion_partner_reliable_share", "isreliable"),
    (r"covid", "opinion_covid_help_share", "covid"),
    (r"attitude towards russia changed", "opinion_attitude_change_share", "attitude"),
    (r"attack", "opinion_attack_possible_share", "attack"),
    (r"preferred relations", "opinion_preferred_relations_share", "preferred"),
    (r"customs union|eurasian econom|eaeu", "opinion_eaeu_support_share", "eaeu"),
]
PUBLISHER_RELEASES = {"mofa.go.jp", "ca-barometer.org", "demos.kz", "eabr.org"}
MEDIUM = re.compile(
    r"second-hand|secondary report|reposted|approximate|'nearly|not stated explicitly|"
    r"appears to be the same survey|as reported by Reuters",
    re.I,
)
SECOND_HAND = {
    "mediaplov.asia",
    "news-intech.blogspot.com",
    "poland.postsen.com",
    "breakinglatest.news",
    "theriseofrussia.blogspot.com",
}
# rows already in opinion.csv (same poll, question and figure): not carried twice
ALREADY = {("JPN", "2015", "85"), ("JPN", "2016", "89"), ("JPN", "2015", "14"), ("RUS", "2015", "63")}


def fieldwork(text: str, year: str) -> tuple[str, str, str, str | None]:
    """(start, end, precision, note) from the file's fieldwork column."""
    t = text.strip()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})", t)
    if m:
        return m.group(1), m.group(2), "day", None
    m = re.fullmatch(r"(\d{4}-\d{2})/(\d{4}-\d{2})", t)
    if m:
        return m.group(1), m.group(2), "month", None
    if re.fullmatch(r"\d{4}-\d{2}", t):
        return t, t, "month", None
    m = re.match(r"(\d{4})-(\d{4})", t)
    if m:
        return m.group(1), m.group(2), "year", f"fieldwork {t}"
    if re.fullmatch(r"\d{4}", t):
        return t, t, "year", None
    return year, year, "year", f"fieldwork given as '{t}'"


def opinion(sources: Sources) -> list[dict[str, str]]:
    rows = list(csv.DictReader((SHARED / "opinion_polls.csv").open(encoding="utf-8")))
    assert len(rows) == 82, len(rows)
    out, seen, previous = [], set(), ""
    for r in rows:
        question = previous if r["question"].strip().lower() == "same question" else r["question"].strip()
        previous = question
        key = (r["partner_iso3"], r["year"][:4], r["share_pct"])
        if "MOFA" in r["pollster"] and key in ALREADY:
            continue
        indicator, short = next((i, s) for p, i, s in INDICATORS if re.search(p, question, re.I))
        start, end, precision, fw_note = fieldwork(r["fieldwork"], r["year"])
        urls = [u.strip() for u in r["source_url"].split(" ; ") if u.strip()]
        scope = r["country_iso3"]
        scope = "C4_EXCL_TKM" if scope == "KAZ;KGZ;TJK;UZB" else scope
        title = f"{r['pollster']}: '{question}' ({r['country_iso3']}, {r['year']})"
        ids = [sources.get(u, "poll_" + start[:4], title) for u in urls]
        notes = r["notes"].strip()
        basis = "publisher" if domain(urls[0]) in PUBLISHER_RELEASES else "secondary_report"
        confidence = (
            "low"
            if "verify against Gallup" in notes
            else "medium"
            if (MEDIUM.search(notes) or r["fieldwork"].startswith("c.") or domain(urls[0]) in SECOND_HAND)
            else "high"
        )
        answer_slug = slug(r["answer"])[:24].strip("_")
        pollster = slug(re.sub(r"\(.*?\)", "", r["pollster"]).split()[0])[:10]
        where = "c4" if scope == "C4_EXCL_TKM" else slug(scope)
        base_id = f"op_{r['partner_iso3'].lower()}_{where}_{r['year'][:4]}_{pollster}_{short}_{answer_slug}"
        fact_id, k = base_id, 2
        while fact_id in seen:
            fact_id, k = f"{base_id}_{k}", k + 1
        seen.add(fact_id)
        note = "; ".join(x for x in (notes, fw_note) if x)
        out.append(
            {
                "fact_id": fact_id,
                "subject_iso3": r["partner_iso3"],
                "scope": scope,
                "fieldwork_start": start,
                "fieldwork_end": end,
                "fieldwork_precision": precision,
                "indicator": indicator,
                "question": question,
                "answer": r["answer"],
                "share_pct": r["share_pct"],
                "sample_n": r["sample_n"],
                "pollster": r["pollster"],
                "confidence": confidence,
                "basis": basis,
                "note": note,
                "source_ids": ";".join(dict.fromkeys(ids)),
                "citation_status": "cited",
            }
        )
    return out


def write(name: str, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    path = PACK / name
    existing = path.read_text(encoding="utf-8")
    fields = header or next(csv.reader([existing.splitlines()[0]]))
    with path.open("a", encoding="utf-8", newline="") as fh:
        if not existing.endswith("\n"):
            fh.write("\n")
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        for row in rows:
            w.writerow({f: row.get(f, "") for f in fields})


def main() -> None:
    sources = Sources()
    ev = events(sources)
    op = opinion(sources)
    print(f"{len(ev)} events, {len(op)} opinion rows, {len(sources.new)} new sources", file=sys.stderr)
    if "--write" in sys.argv:
        write("events.csv", ev)
        write("opinion.csv", op)
        write("sources.csv", sources.new)
    else:
        w = csv.DictWriter(sys.stdout, fieldnames=list(ev[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(ev)
        w = csv.DictWriter(sys.stdout, fieldnames=list(op[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(op)


if __name__ == "__main__":
    main()
