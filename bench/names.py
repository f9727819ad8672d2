"""Customer names for the benchmarks: Chinese company names as they come (two brand characters, a trade, a legal
form), English ones now and then, and the names of tests/data/search_misspellings.json first, so the search
benchmark can measure recall on the generated book. With their search keys, as the services store them."""

from __future__ import annotations

import json
import random
from pathlib import Path

from customers.identity import phone_digits, phonetic_tokens, search_key

ROOT = Path(__file__).resolve().parents[1]
MISSPELLINGS = json.loads((ROOT / "tests/data/search_misspellings.json").read_text(encoding="utf-8"))["cases"]
BRAND = (
    "大同統一光陽華新聯中興遠東正國泰永豐元和佳世達仁寶緯創廣英業神勝農清心福全曾山海"
    "志成春源林黃吳蔡楊鄭謝郭洪瑞珍邱周葉莊江南蕭羅振崇森安金長榮台灣宏鼎盛興隆昌泰順德"
)
TRADE = ["紡織", "實業", "電子", "企業", "工業", "食品", "機械", "科技", "建設", "貿易", "汽車", "電機", "塑膠", "鋼鐵",
         "化工", "製藥", "醫療器材", "資通", "五金行", "建材", "百貨", "物流", "印刷", "包裝"]  # fmt: skip
FORM = ["股份有限公司", "有限公司", "企業社", "股份有限公司", "有限公司"]
EN = ["Pacific", "Golden", "Evergreen", "Formosa", "Asia", "United", "Orient", "Summit", "Harbor", "Phoenix"]
EN_TRADE = ["Trading", "Machinery", "Foods", "Electronics", "Logistics", "Tooling", "Plastics", "Textiles"]


def customer_name(rng: random.Random, n: int) -> str:
    if n <= len(MISSPELLINGS):
        return MISSPELLINGS[n - 1]["name"]
    if rng.random() < 0.1:
        return f"{rng.choice(EN)} {rng.choice(EN_TRADE)} Co., Ltd. {n}"
    return f"{rng.choice(BRAND)}{rng.choice(BRAND)}{rng.choice(TRADE)}{rng.choice(FORM)}"


def customer_row_keys(name: str, n: int) -> tuple[str, str, str, list[str]]:
    """(phone, phone_digits, search_text, search_phonetic) of generated customer n."""
    phone = f"+8862{20_000_000 + n % 79_999_999:08d}"
    return phone, phone_digits(phone), search_key(name)[:300], phonetic_tokens(name)[:60]
