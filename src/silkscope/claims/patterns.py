"""Regular expressions and parsers for the parts of a claim: numbers, money, percentages, fold changes, periods."""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100, "thousand": 1000,
    "a thousand": 1000, "a dozen": 12, "dozen": 12, "dozens": 24,
}  # fmt: skip
_WORD_ALT = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))
# Compound number words ("twenty-five", "three hundred", "two thousand"), parsed by text2num (below).
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_COMPOUND = (
    rf"(?:{_TENS}[- ]{_UNITS}|(?:{_UNITS}|ten|twelve|{_TENS}(?:[- ]{_UNITS})?) (?:hundred|thousand)"
    rf"(?: (?:and )?(?:{_TENS}(?:[- ]{_UNITS})?|{_UNITS}))?)"
)
NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER = rf"(?:{NUM}|(?<![\w-])(?i:{_COMPOUND}|{_WORD_ALT})(?![\w-]))"

SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
    "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}  # fmt: skip
_SCALE_WORD = r"(?:thousand|million|mln|billion|trillion)"
_SCALE_SHORT = r"(?:mn|bn|tn|trn|m|b|k)"

# Currency spellings -> ISO 4217. Prefix symbols and suffix words are matched separately.
CURRENCY_PREFIX = {
    "us$": "USD", "u.s.$": "USD", "usd": "USD", "$": "USD", "s$": "SGD", "a$": "AUD", "c$": "CAD", "ca$": "CAD",
    "hk$": "HKD", "nz$": "NZD", "r$": "BRL", "nt$": "TWD", "₹": "INR", "inr": "INR", "₺": "TRY", "try": "TRY",
    "chf": "CHF", "¥": "JPY", "jpy": "JPY", "₩": "KRW", "krw": "KRW",
    "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "₽": "RUB", "rub": "RUB", "rmb": "CNY", "cny": "CNY",
    "kzt": "KZT", "₸": "KZT", "uzs": "UZS",
}  # fmt: skip
CURRENCY_SUFFIX = {
    "us dollars": "USD", "u.s. dollars": "USD", "dollars": "USD", "dollar": "USD", "yen": "JPY", "won": "KRW",
    "yuan": "CNY", "renminbi": "CNY", "euros": "EUR", "euro": "EUR", "roubles": "RUB", "rubles": "RUB",
    "rouble": "RUB", "ruble": "RUB", "tenge": "KZT", "soums": "UZS", "sum": "UZS", "somoni": "TJS", "manat": "TMT",
    "manats": "TMT", "som": "KGS", "soms": "KGS", "pounds sterling": "GBP", "rupees": "INR", "lira": "TRY",
    "liras": "TRY", "Swiss francs": "CHF",
}  # fmt: skip
# A currency is never assumed: "S$25 billion" is Singapore dollars, not US$ (a letter before "$" names the dollar).
_PREFIX_ALT = (
    r"(?:US\$|U\.S\.\s?\$|USD\s?|(?:S|A|C|CA|HK|NZ|R|NT)\$|(?<![A-Za-z])\$|¥|JPY\s?|₩|KRW\s?|€|EUR\s?|£|GBP\s?|₽|"
    r"RUB\s?|RMB\s?|CNY\s?|KZT\s?|₸|UZS\s?|₹|INR\s?|₺|TRY\s?|CHF\s?)"
)
_SUFFIX_ALT = "|".join(sorted((re.escape(k) for k in CURRENCY_SUFFIX), key=len, reverse=True))

_RANGE_TO = r"\s?(?:-|–|to)\s?"
MONEY = re.compile(
    rf"(?P<cur1>{_PREFIX_ALT})(?P<n1>{NUM})(?:{_RANGE_TO}(?:{_PREFIX_ALT})?(?P<r1>{NUM}))?"
    rf"(?:\s?(?P<s1>{_SCALE_WORD})\b|(?P<s1b>{_SCALE_SHORT})\b)?"
    rf"|(?<![\w$])(?P<n2>{NUM})(?:{_RANGE_TO}(?P<r2>{NUM}))?(?:\s?(?P<s2>{_SCALE_WORD})|(?P<s2b>{_SCALE_SHORT}))?"
    rf"[\s-](?P<cur2>(?i:{_SUFFIX_ALT}))\b",
)
# "(about $13.2 billion)" after an amount in another currency: the article's own conversion, kept with the amount.
_CONVERTED = re.compile(
    rf"\s*\((?:about |approximately |around |roughly |some |nearly |almost |~)?(?:US\$|U\.S\.\s?\$|\$|USD\s?)"
    rf"(?P<n>{NUM})(?:\s?(?P<s>{_SCALE_WORD})\b|(?P<sb>{_SCALE_SHORT})\b)?\)"
)
PERCENT = re.compile(
    rf"(?:between\s+(?P<lo>{NUM})\s?%?\s+and\s+|(?P<lo2>{NUM})\s?%?{_RANGE_TO})?"
    rf"(?P<n>{NUMBER})\s?(?:%|per\s?cent\b|percent\b|percentage points?\b)",
    re.I,
)
# Fractions stated in words: "a third of", "two-thirds of", "half of" (a share, read as about that figure).
FRACTION = re.compile(
    # "the first half of the year" is a period, not a share
    r"(?<!first )(?<!second )(?<!last )(?<!latter )(?<!final )"
    r"\b(?P<f>a third|one third|two[- ]thirds|a quarter|one quarter|three[- ]quarters|(?:a |one )?half|a fifth|"
    r"one fifth)\s+of\b",
    re.I,
)
FRACTIONS = {"third": 100 / 3, "thirds": 200 / 3, "quarter": 25.0, "quarters": 75.0, "half": 50.0, "fifth": 20.0}
FOLD = re.compile(
    rf"\b(?P<w>two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|thousand)fold\b"
    rf"|(?P<n>{NUMBER})[- ]?fold\b"
    r"|\b(?P<v>doubled|doubling|double|tripled|trebled|tripling|triple|quadrupled|quintupled|halved)\b"
    rf"|\bby a factor of (?P<f>{NUMBER})"
    rf"|(?P<t>{NUMBER}) times (?:more|larger|bigger|higher|greater|over|as (?:much|many|large|big|high))\b",
    re.I,
)
VERB_FOLDS = {"doubled": 2, "doubling": 2, "double": 2, "tripled": 3, "trebled": 3, "tripling": 3, "triple": 3}
VERB_FOLDS |= {"quadrupled": 4, "quintupled": 5, "halved": 0.5}

QUALIFIER = re.compile(
    r"\b(?P<q>almost|nearly|close to|about|around|approximately|roughly|some|more than|over|at least|"
    r"less than|under|fewer than|only|just|exactly|up to|well over|upwards of|in excess of|exceeded|exceeds|"
    r"exceeding|surpassed|topped)\s+(?:a\s+|an\s+)?$",
    re.I,
)
QUALIFIER_KIND = {
    "almost": "almost", "nearly": "almost", "close to": "about", "about": "about", "around": "about",
    "approximately": "about", "roughly": "about", "some": "about", "more than": "more", "over": "more",
    "well over": "more", "upwards of": "more", "in excess of": "more", "exceeded": "more", "exceeds": "more",
    "exceeding": "more", "surpassed": "more", "topped": "more", "at least": "at_least", "less than": "less",
    "under": "less", "fewer than": "less", "up to": "at_most", "only": "exact", "just": "exact",
    "exactly": "exact",
}  # fmt: skip

YEAR = re.compile(r"(?<![\d,.$])(?P<y>1[89]\d\d|20\d\d)(?!\d|,\d|\.\d)(?!s\b)")
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()  # noqa: SIM905
    )
}
_MONTH_ALT = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"  # noqa: E501
DATE = re.compile(
    rf"(?:(?P<d1>\d{{1,2}})\s+)?(?P<mon>{_MONTH_ALT})(?:\s+(?P<d2>\d{{1,2}}),?)?\s+(?P<y>1[89]\d\d|20\d\d)\b"
)
# "... and sources said ...": what follows is another statement, reported from someone else. No claim's span runs
# into it, and no claim takes its dates or names from across it (binding stays within the clause).
REPORTED = re.compile(
    r"\s+(?=and\s+(?:sources|officials|analysts|experts|reports?|diplomats)\s+(?:said|say|says|told)\b)", re.I
)
INDEPENDENCE = re.compile(
    r"\bsince (?:(?:the )?(?:Central Asian )?(?:countries|states|republics)?\s*(?:gained|won|became) independen\w*"
    r"|(?:their )?independence|the (?:collapse|fall|break-?up|dissolution|end) of the (?:Soviet Union|USSR))"
    r"(?:\s+from the (?:Soviet Union|USSR))?",
    re.I,
)
RANGE = re.compile(
    r"\b(?:between|from)\s+(?P<a>1[89]\d\d|20\d\d)\s+(?:and|to|through|until)\s+(?P<b>1[89]\d\d|20\d\d)\b"
    r"|\b(?P<c>1[89]\d\d|20\d\d)\s?[-–—]\s?(?P<d>1[89]\d\d|20\d\d|\d\d)\b",
    re.I,
)
DURATION = re.compile(
    rf"\b(?:in|over|within|across|during) (?:the (?:past|last|next) )?(?P<n>{NUMBER}) years?\b|\bover a decade\b"
    r"|\bin a decade\b",
    re.I,
)
PERIOD_WORD = re.compile(
    r"\b(?P<w>in|by|since|as of|until|through|at the (?:start|end|beginning) of|(?:early|late|mid)-?|"
    r"during|after|before|following|from)\s+(?:(?:the (?:start|end|beginning|middle) of|early|late)\s+)?$",
    re.I,
)


@dataclass
class Quantity:
    kind: str  # money, percent, fold, count
    start: int
    end: int
    value: float | None
    unit: str
    qualifier: str | None = None
    raw: str = ""
    low: float | None = None  # a stated range ("US$10-15 billion"): its ends; value is the middle
    high: float | None = None
    usd: float | None = None  # the article's own conversion ("€12 billion ($13.2 billion)")


def parse_number(text: str) -> float | None:
    t = text.strip().lower()
    if t in WORD_NUMBERS:
        return float(WORD_NUMBERS[t])
    try:
        return float(t.replace(",", ""))
    except ValueError:
        pass
    if re.fullmatch(r"[a-z -]+", t):  # "twenty-five", "three hundred and forty": text2num (MIT), not new tables
        from text_to_num import text2num

        try:
            return float(text2num(t.replace(" and ", " "), "en"))
        except ValueError:
            return None
    return None


def range_qualifier(low: float, high: float) -> str:
    """A stated range as a qualifier `within` reads: its half-width relative to its middle."""
    middle = (low + high) / 2
    return f"range:{(high - low) / 2 / middle:.6f}" if middle else "about"


def qualifier_before(text: str, pos: int) -> str | None:
    m = QUALIFIER.search(text[max(0, pos - 30) : pos])
    return QUALIFIER_KIND[m.group("q").lower()] if m else None


def qualifier_start(text: str, pos: int) -> int:
    """Where a qualifier in front of a number starts ("almost a hundredfold" -> the 'a' of 'almost')."""
    lo = max(0, pos - 30)
    m = QUALIFIER.search(text[lo:pos])
    return lo + m.start() if m else pos


def find_money(text: str) -> list[Quantity]:
    out: list[Quantity] = []
    taken = -1
    for m in MONEY.finditer(text):
        if m.start() < taken:
            continue  # the conversion in brackets after an amount belongs to that amount
        if m.group("n1"):
            prefix = re.sub(r"\s", "", m.group("cur1")).lower()
            cur = CURRENCY_PREFIX.get(prefix) or prefix.upper()  # an unknown symbol is kept as written
            number, high, scale = m.group("n1"), m.group("r1"), m.group("s1") or m.group("s1b")
        else:
            word = m.group("cur2").lower()
            cur = CURRENCY_SUFFIX.get(word) or CURRENCY_SUFFIX.get(m.group("cur2")) or word.upper()
            number, high, scale = m.group("n2"), m.group("r2"), m.group("s2") or m.group("s2b")
            if word in {"som", "sum"} and not scale:
                continue  # "sum" and "som" are words too: only trust them with a scale ("5 billion sum")
        value = parse_number(number)
        if value is None:
            continue
        factor = SCALES.get((scale or "").lower(), 1.0)
        value *= factor
        q = Quantity("money", m.start(), m.end(), value, cur, qualifier_before(text, m.start()), m.group())
        top = parse_number(high) if high else None
        if top is not None and top * factor > value:
            q.low, q.high = value, top * factor
            q.value, q.qualifier = (value + top * factor) / 2, range_qualifier(value, top * factor)
        conv = _CONVERTED.match(text, m.end()) if cur != "USD" else None
        if conv:
            usd = parse_number(conv.group("n"))
            if usd is not None:
                q.usd = usd * SCALES.get((conv.group("s") or conv.group("sb") or "").lower(), 1.0)
                q.end = conv.end()
                q.raw = text[m.start() : conv.end()]
                taken = conv.end()
        out.append(q)
    return out


def find_percent(text: str) -> list[Quantity]:
    out = []
    for m in PERCENT.finditer(text):
        value, low = parse_number(m.group("n")), m.group("lo") or m.group("lo2")
        q = Quantity("percent", m.start(), m.end(), value, "percent", qualifier_before(text, m.start()))
        bottom = parse_number(low) if low else None
        if bottom is not None and value is not None and value > bottom:
            q.low, q.high, q.value = bottom, value, (bottom + value) / 2
            q.qualifier = f"range_pp:{(value - bottom) / 2:.6f}"  # "between 10 and 15 percent": +/- half the range
        out.append(q)
    return out


def find_fractions(text: str) -> list[Quantity]:
    out = []
    for m in FRACTION.finditer(text):
        word = m.group("f").lower().replace("-", " ").split()[-1]
        value = FRACTIONS.get(word)
        if value is not None:
            out.append(Quantity("percent", m.start(), m.end() - 3, round(value, 2), "percent", "about", m.group()))
    return out


def find_folds(text: str) -> list[Quantity]:
    out = []
    for m in FOLD.finditer(text):
        if m.group("w"):
            value = parse_number(m.group("w"))
        elif m.group("v"):
            value = float(VERB_FOLDS[m.group("v").lower()])
        else:
            value = parse_number(m.group("n") or m.group("f") or m.group("t"))
        # "a hundredfold": the article may write the qualifier before an article word ("almost a hundredfold").
        out.append(Quantity("fold", m.start(), m.end(), value, "fold", qualifier_before(text, m.start()), m.group()))
    return out
