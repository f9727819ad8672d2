"""Who a customer *is* (備案 identity): pure normalisation of tax numbers, names and phones.

A customer claims one key per kind it has: its tax/registration number, its normalised name and its normalised
phone. Two customers sharing any key are the same customer (先入為主: the first registration wins). Keys are
stored in CustomerIdentity under a unique constraint, so the database decides races, not Python.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

import phonenumbers
from django.conf import settings

# Legal-form suffixes, compared after NFKC, lower-casing and Traditional→Simplified conversion.
ZH_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "无限公司",
    "两合公司",
    "企业有限公司",
    "企业社",
    "公司",
)
EN_SUFFIX_WORDS = {
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "bv",
    "pte",
    "pty",
    "kk",
    "sdn",
    "bhd",
}
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Fold Traditional and Simplified variants of the same characters together (臺/台灣/湾 → 台湾)."""
    return _t2s().convert(text)


def _prototype_rank(char: str) -> tuple:
    """Which member of a confusable class stands for it: an ASCII lower-case letter, then upper-case, then a
    digit (TR39's prototypes for the classes that matter here: о а е → o a e, О 0 → O, 1 I | → l)."""
    return (
        not (char.isascii() and char.islower()),
        not (char.isascii() and char.isupper()),
        not (char.isascii() and char.isdigit()),
        not char.isascii(),
        not ("\u4e00" <= char <= "\u9fff"),  # a CJK ideograph over a look-alike stroke or kana (一 over ー)
        ord(char),
    )


@lru_cache(maxsize=1)
def _confusable_prototypes() -> dict[str, str]:
    """{character: prototype} for letters and digits that look alike (Unicode TR39 confusables.txt, as shipped by
    confusable_homoglyphs). The data pairs each character with its homoglyphs in both directions; the classes are
    their connected sets (single characters only, case kept apart as TR39 does) and each maps to one member."""
    from confusable_homoglyphs.confusables import confusables_data

    parent: dict[str, str] = {}

    def find(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for char, glyphs in confusables_data.items():
        if len(char) != 1 or not char.isalnum():
            continue
        for glyph in glyphs:
            other = glyph["c"]
            if len(other) == 1 and other.isalnum():
                a, b = find(char), find(other)
                if a != b:
                    parent[a] = b
    classes: dict[str, list[str]] = {}
    for char in parent:
        classes.setdefault(find(char), []).append(char)
    prototypes: dict[str, str] = {}
    for members in classes.values():
        best = min(members, key=_prototype_rank)
        prototypes.update({m: best for m in members if m != best})
    return prototypes


def skeleton(text: str) -> str:
    """TR39-style skeleton of letters and digits: each homoglyph (Cyrillic о е а, Greek ο, mathematical 𝐚 …)
    becomes its prototype, so "Acme" typed with Cyrillic letters is the same name. Punctuation is left alone
    (the name key drops it anyway). Case-sensitive like TR39; callers fold case afterwards."""
    table = _confusable_prototypes()
    return "".join(table.get(c, c) for c in text)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")  # full-width → half-width, compatibility forms
    text = text.casefold()
    return to_simplified(text)


def _fold_confusables(text: str) -> str:
    """_fold() with homoglyphs folded: case first (so "I" reads as "i", not as the "l" TR39 makes of it), then the
    skeleton, then case again (the prototype of 0 and О is "O")."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return to_simplified(skeleton(text).casefold())


def normalize_name(name: str) -> str:
    """The identity key of a company name: case, width, spacing, punctuation, legal suffix, script and homoglyphs
    (TR39 skeleton: Cyrillic о е а read as Latin o e a) folded."""
    text = _fold_confusables(name).replace("&", " and ")
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)  # l.l.c. → llc, s.a. → sa
    words = [w for w in _NON_WORD.split(text.replace("_", " ")) if w]
    # Drop English legal-form words from the end ("Co., Ltd.", "Corporation", "Inc.").
    while len(words) > 1 and words[-1] in EN_SUFFIX_WORDS:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    key = "".join(words)
    # Drop Chinese legal-form suffixes, repeatedly (…企業股份有限公司 → …企業 stays, 公司 forms go).
    changed = True
    while changed:
        changed = False
        for suffix in ZH_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                changed = True
                break
    return key


def normalize_tax_id(tax_id: str) -> str:
    text = unicodedata.normalize("NFKC", tax_id or "").upper()
    return re.sub(r"[^0-9A-Z]", "", text)


def parse_phone(phone) -> phonenumbers.PhoneNumber | None:
    if not phone:
        return None
    if isinstance(phone, phonenumbers.PhoneNumber):
        return phone
    text = unicodedata.normalize("NFKC", str(phone))
    try:
        parsed = phonenumbers.parse(text, getattr(settings, "PHONENUMBER_DEFAULT_REGION", "TW"))
    except phonenumbers.NumberParseException:
        return None
    return parsed


def normalize_phone(phone) -> str:
    """E.164 when the number parses (02-2700-1234, +886 2 2700 1234 and (02)27001234 agree), else its digits."""
    if not phone:
        return ""
    parsed = parse_phone(phone)
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", str(phone)))


def phone_digits(phone) -> str:
    """National digits (0227001234) for substring search."""
    if not phone:
        return ""
    parsed = parse_phone(phone)
    if parsed is not None:
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        return re.sub(r"\D", "", national)
    return re.sub(r"\D", "", str(phone))


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# 注音 (bopomofo) typing slips and regional accents that sound alike: ㄓㄔㄕ/ㄗㄘㄙ (zh ch sh / z c s) and
# ㄥ/ㄣ, ㄧㄥ/ㄧㄣ, ㄤ/ㄢ (eng/en, ing/in, ang/an) are folded together, the way input methods' 模糊音 do; tones dropped.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("eng", "en"), ("ing", "in"), ("ang", "an"))


def _fuzzy_syllable(syllable: str) -> str:
    for heavy, light in _FUZZY_INITIALS:
        if syllable.startswith(heavy):
            syllable = light + syllable[len(heavy) :]
            break
    for heavy, light in _FUZZY_FINALS:
        if syllable.endswith(heavy):
            syllable = syllable[: -len(heavy)] + light
            break
    return syllable


# Characters whose reading in a company name is not their most common one: 曾 is read zēng as the surname it
# nearly always is in a name (曾記), céng ("once") elsewhere; 增記 must find 曾記.
NAME_READINGS = {"曾": "zeng"}


@lru_cache(maxsize=65536)
def _syllable(char: str) -> str:
    """The toneless, 注音-slip-folded reading of one character (its most common one, or its reading in names —
    NAME_READINGS; read alone, so a name and a query always read a character the same way)."""
    from pypinyin import lazy_pinyin

    if not "\u3400" <= char <= "\ufaff":
        return ""
    return _fuzzy_syllable(NAME_READINGS.get(char) or lazy_pinyin(char, errors="ignore")[0])


def _runs(parts) -> list[list[str]]:
    runs = []
    for part in parts:
        text = to_simplified(unicodedata.normalize("NFKC", part or ""))
        for suffix in (*ZH_SUFFIXES, "股份"):
            text = text.replace(suffix, " ")
        for run in _CJK_RUN.findall(text):
            syllables = [s for s in map(_syllable, run) if s]
            if syllables:
                runs.append(syllables)
    return runs


def phonetic_key(*parts: str) -> str:
    """What a Chinese name sounds like, for people to read: each run of Chinese characters as toneless pinyin,
    syllables folded as in _fuzzy_syllable (大同紡織 → "datongfanzi"); legal-form suffixes left out."""
    return " ".join("".join(run) for run in _runs(parts))


def phonetic_tokens(*parts: str) -> list[str]:
    """The searchable form of phonetic_key: each pair of neighbouring syllables within a run ("da-ton",
    "ton-fan", "fan-zi"). A name matches a query when it holds all the query's pairs — an indexed array
    containment (GIN), selective where trigrams over a 26-letter alphabet are not. Homophones and 注音 slips
    (童/同, 程/陳) give the same pairs. Runs of one character give no pair: one syllable is not a search."""
    tokens: list[str] = []
    for run in _runs(parts):
        for a, b in itertools.pairwise(run):
            token = f"{a}-{b}"
            if token not in tokens:
                tokens.append(token)
    return tokens


def search_key(*parts: str) -> str:
    """Folded text the trigram search runs on: lower-case, half-width, Simplified, single spaces."""
    text = " ".join(_fold(p) for p in parts if p)
    return " ".join(w for w in _NON_WORD.split(text.replace("_", " ")) if w)


def identity_keys(*, name: str, tax_id: str = "", phone="") -> dict[str, str]:
    """{kind: key} for every identity the customer has."""
    keys: dict[str, str] = {}
    tax = normalize_tax_id(tax_id)
    if tax:
        keys["tax"] = tax
    name_key = normalize_name(name)
    if name_key:
        keys["name"] = name_key
    phone_key = normalize_phone(phone)
    if phone_key:
        keys["phone"] = phone_key
    return keys
