"""Pools for the demo shop: names, streets, cities, phone numbers, products, agents.

Faker is slow per call (tens of microseconds), so it runs only here, a few thousand times, to
fill small pools; `demo_generator` assembles the millions of rows from these pools in SQL.
Everything is derived from the seed, so the same seed gives the same pools.
"""

from __future__ import annotations

import bisect
import random
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from math import gcd
from typing import Any

import phonenumbers
from faker import Faker
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

PHONE_VARIANTS = 5  # formats per phone prefix, see _variants
PHONE_PREFIXES = 150  # prefixes per country
PHONE_ENDING = 5  # digits after the prefix; phones stay unique up to 150 * 10**5 customers
STREETS_PER_LOCALE = 6000  # street lines with house numbers
CITIES_PER_LOCALE = 3000  # (city, region, postcode)
POOL_KEY = 1 << 16  # pool keys are (group << 16) + index: no pool group holds more entries
_P = 2_147_483_647  # the modulus of the generator's SQL hash


@dataclass(frozen=True)
class LocaleSpec:
    code: str  # the Faker locale, stored as customers.locale
    country: str  # ISO 3166-1 alpha-2
    currency: str
    weight: int  # share of customers per mille, before the name-capacity limit
    street_format: str  # {s}: street name, {n}: house number
    number_kind: int  # 0: 1-19999 (US), 1: 1-199, 2: chome-ban-go (JP)
    line2: str | None  # optional second street line, {u}: unit


LOCALES: tuple[LocaleSpec, ...] = (
    LocaleSpec("en_US", "US", "USD", 400, "{n} {s}", 0, "Apt {u}"),
    LocaleSpec("en_GB", "GB", "GBP", 90, "{n} {s}", 1, "Flat {u}"),
    LocaleSpec("de_DE", "DE", "EUR", 70, "{s} {n}", 1, None),
    LocaleSpec("fr_FR", "FR", "EUR", 60, "{n} {s}", 1, "Appartement {u}"),
    LocaleSpec("es_ES", "ES", "EUR", 60, "{s}, {n}", 1, "Piso {u}"),
    LocaleSpec("pl_PL", "PL", "PLN", 50, "ul. {s} {n}", 1, None),
    LocaleSpec("el_GR", "GR", "EUR", 50, "{s} {n}", 1, None),
    LocaleSpec("ru_RU", "RU", "USD", 50, "{s}, д. {n}", 1, "кв. {u}"),
    LocaleSpec("ja_JP", "JP", "USD", 50, "{s}{n}", 2, None),
    LocaleSpec("zh_CN", "CN", "USD", 60, "{s}{n}号", 1, None),
    LocaleSpec("ko_KR", "KR", "USD", 60, "{s} {n}", 1, None),
)

# ---------------------------------------------------------------------------------------------
# Romanisation for email local parts (ASCII letters only)


def _table(letters: str, spellings: str) -> dict[str, str]:
    return dict(zip(letters, spellings.split(), strict=True))


_GREEK = _table("αβγδεζηθικλμνξοπρσςτυφχψω", "a v g d e z i th i k l m n x o p r s s t y f ch ps o")
_CYRILLIC = _table(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya",
)
_LATIN = {"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "œ": "oe", "þ": "th", "ð": "d"}
_GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue"}
_TRANSLIT = {**_GREEK, **_CYRILLIC, **_LATIN}
# Revised Romanisation of Hangul (without sound changes), and the usual surname spellings.
_KO_INITIAL = str.split("g kk n d tt r m b pp s ss _ j jj ch k t p h")
_KO_MEDIAL = str.split("a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i")
_KO_FINAL = str.split("_ k k k n n n t l k m l l l p l m p p t t ng t t k t p t")
_KO_SURNAMES = _table(
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄",
    "kim lee park choi jung kang cho yoon jang lim han oh seo shin kwon hwang ahn song ryu "
    "jeon hong ko moon yang son bae baek heo yoo nam shim noh ha kwak sung cha joo woo koo "
    "min jin na ji eom",
)


def _hangul(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            parts = (_KO_INITIAL[code // 588], _KO_MEDIAL[code % 588 // 28], _KO_FINAL[code % 28])
            out.append("".join(p for p in parts if p != "_"))
    return "".join(out)


def romanize(name: str, locale: str, readings: dict[str, str]) -> str:
    """Lower-case ASCII letters for an email local part; '' when there is no reading."""
    if name in readings:
        return readings[name]
    text = name.lower()
    if locale == "ko_KR":
        text = _KO_SURNAMES.get(text) or _hangul(text)
    if locale == "de_DE":
        text = "".join(_GERMAN.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("ου", "ou")
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text).replace("_", "")
    return re.sub(r"[^a-z]", "", text)[:20]


# ---------------------------------------------------------------------------------------------
# Names


def _provider_list(fake: Faker, attribute: str) -> list[str]:
    person = fake.provider("faker.providers.person")
    values = getattr(person, attribute, None)
    return [str(v) for v in values] if values is not None and len(values) >= 20 else []


def _names(fake: Faker, rng: random.Random, kind: str, gender: str) -> list[str]:
    """Every distinct first or last name Faker has for a locale and gender, shuffled."""
    values = _provider_list(fake, f"{kind}_names_{gender}") or _provider_list(fake, f"{kind}_names")
    if not values:  # pl_PL derives female surnames from male ones: draw them
        method = getattr(fake, f"{kind}_name_{gender}")
        values = [str(method()) for _ in range(1500)]
    unique = sorted({v.strip() for v in values if v.strip()})
    rng.shuffle(unique)
    return unique[: POOL_KEY - 1]


def _readings(fake: Faker, locale: str) -> tuple[dict[str, str], list[str], list[str]]:
    """Known romanisations (ja_JP), or substitute romanised names (zh_CN)."""
    person = fake.provider("faker.providers.person")
    readings: dict[str, str] = {}
    for attribute in ("first_name_pairs", "last_name_pairs"):
        for kanji, _kana, romaji in getattr(person, attribute, ()):
            readings[kanji] = romaji.lower()
    first_sub = [s.lower() for s in getattr(person, "first_romanized_names", ())]
    last_sub = [s.lower() for s in getattr(person, "last_romanized_names", ())]
    return readings, first_sub, last_sub


@dataclass
class LocalePools:
    spec: LocaleSpec
    first: dict[int, list[tuple[str, str]]]  # gender (0 male, 1 female) -> (name, ascii)
    last: dict[int, list[tuple[str, str]]]
    streets: list[str]
    cities: list[tuple[str, str | None, str]]
    phones: list[list[PhoneTemplate]]  # per prefix, per variant

    @property
    def capacity(self) -> int:
        """How many customers get distinct (first, last) name pairs."""
        return 2 * min(len(self.first[g]) * len(self.last[g]) for g in (0, 1))


def _name_pool(
    fake: Faker, rng: random.Random, spec: LocaleSpec, kind: str
) -> dict[int, list[tuple[str, str]]]:
    readings, first_sub, last_sub = _readings(fake, spec.code)
    substitutes = first_sub if kind == "first" else last_sub
    pool: dict[int, list[tuple[str, str]]] = {}
    for g, gender in enumerate(("male", "female")):
        entries = []
        for i, name in enumerate(_names(fake, rng, kind, gender)):
            ascii_name = romanize(name, spec.code, readings)
            if not ascii_name and substitutes:
                ascii_name = substitutes[i % len(substitutes)]
            entries.append((name, ascii_name))
        pool[g] = entries
    return pool


# ---------------------------------------------------------------------------------------------
# Addresses

_GB_AREAS = str.split("SW SE EC WC NW N E W B M L LS G EH CF BS OX CB BT S NG LE BN RG GU")
_GB_INWARD = "ABDEFGHJLNPQRSTUWXYZ"
_FIVE_DIGITS = {"DE": (1067, 99998), "FR": (1000, 95999), "ES": (1001, 52080), "KR": (1000, 63644)}


def postcode(country: str, rng: random.Random) -> str:
    """A postcode in the country's format: US 12345 or 12345-6789, GB "SW1A 1AA", PL
    00-950, GR "104 31", JP 100-0001, RU and CN 6 digits, DE, FR, ES and KR 5 digits."""
    r = rng.randint
    if country == "US":
        return f"{r(1001, 99950):05d}" + (f"-{r(1, 9999):04d}" if r(1, 8) == 1 else "")
    if country == "GB":
        area = rng.choice(_GB_AREAS)
        district = f"{r(1, 9)}{rng.choice('ABCEHMNPRVWXY')}" if r(1, 6) == 1 else str(r(1, 29))
        inward = f"{r(0, 9)}{rng.choice(_GB_INWARD)}{rng.choice(_GB_INWARD)}"
        return f"{area}{district} {inward}"
    if country == "PL":
        return f"{r(0, 99):02d}-{r(0, 999):03d}"
    if country == "GR":
        return f"{r(100, 859)} {r(0, 99):02d}"
    if country == "JP":
        return f"{r(1, 999):03d}-{r(0, 9999):04d}"
    if country == "RU":
        return str(r(101000, 692999))
    if country == "CN":
        return f"{r(10, 85)}{r(0, 9999):04d}"
    low, high = _FIVE_DIGITS[country]
    return f"{r(low, high):05d}"


def _street_names(fake: Faker, spec: LocaleSpec) -> list[str]:
    if spec.code == "ja_JP":
        draw = fake.town
    elif spec.code == "ko_KR":

        def draw() -> str:
            return str(fake.road_name()) + fake.random_element(("로", "대로", "길"))

    else:
        draw = fake.street_name
    return sorted({str(draw()).strip() for _ in range(800)})


def _house_number(spec: LocaleSpec, rng: random.Random) -> str:
    if spec.number_kind == 2:  # chome-ban-go
        return f"{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
    if spec.number_kind == 0:
        return str(rng.randint(1, 999) if rng.random() < 0.7 else rng.randint(1000, 19999))
    return str(rng.randint(1, 199))


def street_lines(fake: Faker, rng: random.Random, spec: LocaleSpec) -> list[str]:
    """Street lines with house numbers (and sometimes a unit on a second line)."""
    names = _street_names(fake, spec)
    lines: set[str] = set()
    while len(lines) < STREETS_PER_LOCALE:
        line = spec.street_format.format(s=rng.choice(names), n=_house_number(spec, rng))
        if spec.line2 and rng.random() < 0.15:
            line += "\n" + spec.line2.format(u=rng.randint(1, 120))
        lines.add(line)
    return sorted(lines)


def cities(fake: Faker, rng: random.Random, spec: LocaleSpec) -> list[tuple[str, str | None, str]]:
    """(city, region, postcode); Faker's cities, regions and postcodes do not match anyway."""
    names = sorted({str(fake.city()) for _ in range(300)})
    region_draw = fake.state_abbr if spec.country == "US" else fake.administrative_unit
    regions = sorted({str(region_draw()) for _ in range(120)})
    out: list[tuple[str, str | None, str]] = []
    for _ in range(CITIES_PER_LOCALE):
        region: str | None = rng.choice(regions)
        if spec.country == "GB" and rng.random() < 0.5:
            region = None  # British addresses usually leave the county out
        out.append((rng.choice(names), region, postcode(spec.country, rng)))
    return out


# ---------------------------------------------------------------------------------------------
# Phones: prefixes whose every 5-digit ending is a valid number, and the format of each as a
# template (head, split1, sep1, split2, sep2): the phone is
# head + ending[:split1] + sep1 + ending[split1:split2] + sep2 + ending[split2:].

_LONG_DIGITS = re.compile(r"\d{13}")
PhoneTemplate = tuple[str, int, str, int, str]


def _template(formatted: str) -> PhoneTemplate | None:
    positions = [i for i, ch in enumerate(formatted) if ch.isdigit()][-PHONE_ENDING:]
    gaps = [k + 1 for k in range(PHONE_ENDING - 1) if positions[k + 1] != positions[k] + 1]
    if len(gaps) > 2 or _LONG_DIGITS.search(formatted):
        return None
    splits = [*gaps, PHONE_ENDING, PHONE_ENDING][:2]
    seps = [formatted[positions[k - 1] + 1 : positions[k]] for k in gaps] + ["", ""]
    return formatted[: positions[0]], splits[0], seps[0], splits[1], seps[1]


def printf_format(template: PhoneTemplate) -> tuple[str, int, int, int]:
    """The template as (format, d1, d2, m2) for SQL's printf(format, e / d1, e / d2 % m2,
    e % d2), e being the ending as a number; pieces of no width are left out (at the end)."""
    head, split1, sep1, split2, sep2 = template
    fmt = head.replace("%", "%%")
    for width, sep in ((split1, ""), (split2 - split1, sep1), (PHONE_ENDING - split2, sep2)):
        if width:
            fmt += sep.replace("%", "%%") + f"%0{width}d"
    return (
        fmt,
        10 ** (PHONE_ENDING - split1),
        10 ** (PHONE_ENDING - split2),
        10 ** (split2 - split1),
    )


def render_phone(template: PhoneTemplate, ending: str) -> str:
    head, split1, sep1, split2, sep2 = template
    return head + ending[:split1] + sep1 + ending[split1:split2] + sep2 + ending[split2:]


def _variants(number: PhoneNumber, region: str) -> list[str]:
    """International, national, and three common hand-written styles."""
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if region == "US":
        nsn = phonenumbers.national_significant_number(number)
        dotted, spaced = f"{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}", f"({nsn[:3]}) {nsn[3:6]} {nsn[6:]}"
        return [intl, national, dotted, e164, spaced]
    return [intl, national, "00" + intl[1:], e164, re.sub(r"[^\d+]", "", national)]


def _parses(text: str, region: str, number: PhoneNumber) -> bool:
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return False
    return parsed == number


def _phone_templates(region: str, rng: random.Random) -> list[list[PhoneTemplate]]:
    """PHONE_PREFIXES prefixes for a country, each with PHONE_VARIANTS format templates.

    A variant that does not parse back to the same number in the first prefixes (say "00" where
    the country dials another international prefix) is replaced by the international format.
    """
    code = phonenumbers.country_code_for_region(region)
    examples = []
    for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE):
        sample = phonenumbers.example_number_for_type(region, kind)
        assert sample is not None, f"phonenumbers has no example number for {region}"
        examples.append(phonenumbers.national_significant_number(sample))
    seen: set[str] = set()
    usable = [True] * PHONE_VARIANTS
    pool: list[list[PhoneTemplate]] = []
    for attempt in range(PHONE_PREFIXES * 20):
        if len(pool) >= PHONE_PREFIXES:
            break
        example = examples[attempt % 2]
        keep = attempt % 2  # fixed lines: any leading digit; mobiles: the example's first
        free = len(example) - PHONE_ENDING - keep
        prefix = example[:keep] + "".join(rng.choice("0123456789") for _ in range(free))
        if prefix in seen or prefix.startswith("0"):
            continue
        seen.add(prefix)
        endings = ["0" * PHONE_ENDING, "9" * PHONE_ENDING, "1" * PHONE_ENDING, "5" * PHONE_ENDING]
        endings.append(f"{rng.randrange(10**PHONE_ENDING):0{PHONE_ENDING}d}")
        numbers = [PhoneNumber(country_code=code, national_number=int(prefix + e)) for e in endings]
        if not all(phonenumbers.is_valid_number_for_region(n, region) for n in numbers):
            continue
        texts = _variants(numbers[0], region)
        fallback = _template(texts[0])
        if fallback is None:
            continue
        templates = [_template(t) or fallback for t in texts]
        if len(pool) < 10:  # decide which variants the country's numbers parse back from
            for v, template in enumerate(templates):
                text = render_phone(template, endings[-1])
                usable[v] = usable[v] and _parses(text, region, numbers[-1])
        pool.append(templates)
    assert pool, f"no valid phone numbers found for {region}"
    pool = [pool[i % len(pool)] for i in range(PHONE_PREFIXES)]  # every country has as many
    return [[t if usable[v] else ts[0] for v, t in enumerate(ts)] for ts in pool]


# ---------------------------------------------------------------------------------------------
# Products, agents, gift messages

_TYPES = (
    ("RG", "Solitaire Engagement Ring", 89900),
    ("RG", "Halo Engagement Ring", 129900),
    ("RG", "Three-Stone Ring", 149900),
    ("BD", "Wedding Band", 59900),
    ("BD", "Eternity Band", 99900),
    ("ER", "Stud Earrings", 39900),
    ("ER", "Hoop Earrings", 44900),
    ("ER", "Drop Earrings", 54900),
    ("NK", "Pendant Necklace", 49900),
    ("NK", "Riviera Necklace", 249900),
    ("BR", "Tennis Bracelet", 179900),
    ("BR", "Bangle", 69900),
)
_METALS = (
    ("14W", "14k White Gold", 100),
    ("14Y", "14k Yellow Gold", 100),
    ("18W", "18k White Gold", 130),
    ("18R", "18k Rose Gold", 130),
    ("PT", "Platinum", 160),
    ("SS", "Sterling Silver", 35),
)
_STONES = (
    ("Lab-Grown Diamond", 60000),
    ("Diamond", 240000),
    ("Moissanite", 30000),
    ("Sapphire", 90000),
    ("Emerald", 110000),
    ("Ruby", 120000),
    ("Aquamarine", 40000),
)
_CARATS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
GIFT_MESSAGES = (
    "Happy anniversary!",
    "Happy birthday, with love.",
    "Congratulations on your engagement!",
    "For you, always.",
    "Merry Christmas!",
    "Thank you for everything.",
    "Happy Valentine's Day",
    "Welcome to the family.",
)


PRODUCTS = 1500


def product_price(i: int) -> int:
    """Product i's price in cents: $199.99 to $9,193.99, rising with i. The generator computes
    it in SQL with the same formula (`price_sql`), so an order's total needs no lookup."""
    return 19999 + i * 600


def price_sql(i: str) -> str:
    return f"(19999 + ({i}) * 600)"


def products() -> list[tuple[str, str, int]]:
    """(sku, name, price_cents) of PRODUCTS jewellery products: each price from
    `product_price`, with the name whose list price (style, metal, stone) is nearest."""
    candidates = []
    for code, style, base in _TYPES:
        for metal_code, metal, factor in _METALS:
            plain = base * factor // 100
            candidates.append((plain, f"{style}, {metal}", code, metal_code))
            for stone, per_carat in _STONES:
                for carat in _CARATS:
                    name = f"{style}, {carat:g} ct {stone}, {metal}"
                    candidates.append((plain + int(per_carat * carat), name, code, metal_code))
    candidates.sort()
    out = []
    for i in range(PRODUCTS):
        price = product_price(i)
        at = bisect.bisect_left(candidates, (price,))
        near = [j for j in (at - 1, at) if 0 <= j < len(candidates)]
        j = min(near, key=lambda j: abs(candidates[j][0] - price))
        _, name, code, metal_code = candidates.pop(j)
        out.append((f"{code}-{metal_code}-{1001 + i:04d}", name, price))
    return out


# ---------------------------------------------------------------------------------------------
# Building and loading


@dataclass
class Pools:
    locales: list[LocalePools]
    products: list[tuple[str, str, int]]
    agents: list[str]


def build_pools(seed: int) -> Pools:
    """Every pool, from Faker and seeded generators: the same seed gives the same pools."""
    locales = []
    for spec in LOCALES:
        fake = Faker(spec.code)
        fake.seed_instance(f"{seed}:{spec.code}")
        rng = random.Random(f"{seed}:{spec.code}:pools")
        locales.append(
            LocalePools(
                spec=spec,
                first=_name_pool(fake, rng, spec, "first"),
                last=_name_pool(fake, rng, spec, "last"),
                streets=street_lines(fake, rng, spec),
                cities=cities(fake, rng, spec),
                phones=_phone_templates(spec.country, random.Random(f"{seed}:{spec.code}:phones")),
            )
        )
    fake = Faker(["en_US", "es_ES", "en_GB"])
    fake.seed_instance(f"{seed}:agents")
    agents = sorted({f"{fake.first_name()} {fake.last_name()}" for _ in range(60)})[:40]
    return Pools(locales, products(), agents)


def _coprime_step(size: int) -> int:
    """A step near size / golden ratio with no common factor with size: k -> k * step % size
    is a permutation of range(size) that scatters neighbours."""
    step = int(size * 0.6180339887) + 1
    while gcd(step, size) != 1:
        step += 1
    return step


def slot_table(pools: Pools, customers: int, slots: int) -> list[tuple[int, int, int, int]]:
    """(slot, locale, rank, slots of that locale) for each of `slots` slots per block of ids.

    A locale gets its weight in slots, but no more than keeps every customer of it on a distinct
    name pair (at least one slot, so every script shows up); the rest goes to the big locales.
    """
    blocks = -(-customers // slots)
    limits = [max(1, lp.capacity // blocks) for lp in pools.locales]
    weights = [lp.spec.weight * slots // 1000 for lp in pools.locales]
    counts = [min(weight, limit) for weight, limit in zip(weights, limits, strict=True)]
    spare = slots - sum(counts)
    for i in sorted(range(len(counts)), key=lambda i: -(limits[i] - counts[i])):
        extra = max(0, min(spare, limits[i] - counts[i]))
        counts[i] += extra
        spare -= extra
    counts[0] += spare  # only when every pool is exhausted: names repeat more often
    table: list[tuple[int, int, int, int]] = []
    for locale, count in enumerate(counts):
        table.extend((len(table), locale, rank, count) for rank in range(count))
    return table


def load_pools(
    conn: sqlite3.Connection, pools: Pools, customers: int, slots: int, seed: int
) -> None:
    """Create and fill the TEMP pool tables the generator's SQL reads.

    Keys: p_first/p_last (locale * 2 + gender) << 16 | index; p_street/p_city locale << 16 |
    index; p_phone (locale * PHONE_VARIANTS + variant) << 16 | prefix index. p_gender holds,
    per locale and gender, the name counts and the permutation (a, b) of name pairs.
    """
    rng = random.Random(f"{seed}:permutations")
    conn.executescript(
        """
        CREATE TEMP TABLE p_gender (key INTEGER PRIMARY KEY, f INTEGER, c INTEGER, a INTEGER,
            b INTEGER);
        CREATE TEMP TABLE p_first (key INTEGER PRIMARY KEY, name TEXT, al TEXT, ac TEXT);
        CREATE TEMP TABLE p_last (key INTEGER PRIMARY KEY, name TEXT, al TEXT, ac TEXT);
        CREATE TEMP TABLE p_street (key INTEGER PRIMARY KEY, line TEXT);
        CREATE TEMP TABLE p_city (key INTEGER PRIMARY KEY, city TEXT, region TEXT, postcode TEXT);
        CREATE TEMP TABLE p_phone (key INTEGER PRIMARY KEY, fmt TEXT, d1 INTEGER, d2 INTEGER,
            m2 INTEGER);
        CREATE TEMP TABLE p_slot (slot INTEGER PRIMARY KEY, l INTEGER, code TEXT, rank INTEGER,
            cnt INTEGER);
        CREATE TEMP TABLE p_product (i INTEGER PRIMARY KEY, sku TEXT, name TEXT, price INTEGER);
        CREATE TEMP TABLE p_agent (i INTEGER PRIMARY KEY, name TEXT);
        CREATE TEMP TABLE p_message (i INTEGER PRIMARY KEY, text TEXT);
        CREATE TEMP TABLE p_k (v INTEGER PRIMARY KEY, m INTEGER);
        """
    )
    # Row numbers for fanning rows out, each with a multiplier (an order's random number)
    multipliers = [(v, pow(48271, 100 + v, _P)) for v in range(5)]
    conn.executemany("INSERT INTO p_k VALUES (?, ?)", multipliers)
    tables = ("gender", "first", "last", "street", "city", "phone")
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in tables}
    for li, lp in enumerate(pools.locales):
        for g in (0, 1):
            group = li * 2 + g
            f, c = len(lp.first[g]), len(lp.first[g]) * len(lp.last[g])
            rows["gender"].append((group, f, c, _coprime_step(c), rng.randrange(c)))
            for kind in ("first", "last"):
                entries = getattr(lp, kind)[g]
                rows[kind].extend(
                    ((group << 16) + i, name, al, al.capitalize())
                    for i, (name, al) in enumerate(entries)
                )
        rows["street"].extend(((li << 16) + i, v) for i, v in enumerate(lp.streets))
        rows["city"].extend(((li << 16) + i, *v) for i, v in enumerate(lp.cities))
        for i, templates in enumerate(lp.phones):
            keys = (((li * PHONE_VARIANTS + v) << 16) + i for v in range(PHONE_VARIANTS))
            rows["phone"].extend(
                (key, *printf_format(t)) for key, t in zip(keys, templates, strict=True)
            )
    for name, table_rows in rows.items():
        marks = ", ".join("?" * len(table_rows[0]))
        conn.executemany(f"INSERT INTO p_{name} VALUES ({marks})", table_rows)  # noqa: S608
    codes = [lp.spec.code for lp in pools.locales]
    slot_rows = [(*row[:2], codes[row[1]], *row[2:]) for row in slot_table(pools, customers, slots)]
    conn.executemany("INSERT INTO p_slot VALUES (?, ?, ?, ?, ?)", slot_rows)
    product_rows = [(i, *p) for i, p in enumerate(pools.products)]
    conn.executemany("INSERT INTO p_product VALUES (?, ?, ?, ?)", product_rows)
    conn.executemany("INSERT INTO p_agent VALUES (?, ?)", list(enumerate(pools.agents)))
    conn.executemany("INSERT INTO p_message VALUES (?, ?)", list(enumerate(GIFT_MESSAGES)))


# The generator derives the country from the locale code (language_COUNTRY).
assert all(spec.code[3:] == spec.country for spec in LOCALES)
