"""Find anything: the navbar search over customers, contacts, quotes and contracts the user may see, tolerant of
typos, homophones (童/同) and 注音 slips (程/陳). Recall is measured on tests/data/search_misspellings.json."""

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from django.utils import translation

from customers.identity import phonetic_key, phonetic_tokens
from customers.tests.factories import ContactFactory, CustomerFactory
from sales.models import Quote
from sales.tests.factories import ContractFactory
from workspace.search import find_anything

pytestmark = pytest.mark.django_db

CASES = json.loads((Path(__file__).resolve().parents[2] / "tests/data/search_misspellings.json").read_text())["cases"]
# Characters the distractor names are built from: the misspelt ones among them, so they compete.
POOL = "".join(sorted({ch for c in CASES for ch in c["name"] + c["query"] if "\u4e00" <= ch <= "\u9fff"}))
MIN_RECALL = 0.9


@pytest.fixture
def book(salesperson, other_salesperson):
    rng = random.Random(12)
    targets = {}
    for n, case in enumerate(CASES):
        owner = salesperson if n % 2 else other_salesperson
        targets[case["name"]] = CustomerFactory(name=case["name"], short_name="", owner=owner)
    for _ in range(400):
        name = "".join(rng.choice(POOL) for _ in range(rng.randint(3, 6))) + "有限公司"
        CustomerFactory(name=name, short_name="", owner=rng.choice([salesperson, other_salesperson]))
    return targets


def recall(user, book, top=8):
    found, by_kind, missed = 0, Counter(), []
    for case in CASES:
        target = book[case["name"]]
        hit = target.pk in [c.pk for c in find_anything(user=user, query=case["query"], limit=top).customers]
        found += hit
        by_kind[(case["kind"], hit)] += 1
        if not hit:
            missed.append(f"{case['query']} → {case['name']}")
    return found / len(CASES), by_kind, missed


def test_recall_on_the_misspelling_set(gm, book, capsys):
    value, by_kind, missed = recall(gm, book)
    with capsys.disabled():
        kinds = sorted({k for k, _ in by_kind})
        parts = ", ".join(f"{k} {by_kind[(k, True)]}/{by_kind[(k, True)] + by_kind[(k, False)]}" for k in kinds)
        print(f"\nsearch recall@8 on {len(CASES)} misspellings: {value:.0%} ({parts}); missed: {missed}")
    assert value >= MIN_RECALL, missed


def test_homophone_and_zhuyin_slips_find_the_customer(gm, book):
    assert book["大同紡織股份有限公司"] in find_anything(user=gm, query="大童紡織").customers
    assert book["陳氏實業有限公司"] in find_anything(user=gm, query="程氏實業").customers
    assert set(phonetic_tokens("大童")) <= set(phonetic_tokens("大同紡織股份有限公司"))
    assert phonetic_key("大同紡織股份有限公司") == "datongfanzi"
    assert phonetic_key("京山") == phonetic_key("金山")  # ㄧㄥ/ㄧㄣ
    assert book["曾記食品有限公司"] in find_anything(user=gm, query="增記食品").customers  # 曾 read as in names


def test_a_salesperson_finds_only_their_own(salesperson, other_salesperson, book):
    found_own = 0
    for case in CASES:
        got = find_anything(user=salesperson, query=case["query"]).customers
        assert all(c.owner_id == salesperson.pk for c in got), case
        found_own += book[case["name"]] in got
    assert found_own >= sum(c.owner_id == salesperson.pk for c in book.values()) * MIN_RECALL


def test_contacts_quotes_and_contracts_of_others_are_not_found(client, salesperson, other_salesperson):
    mine = CustomerFactory(owner=salesperson, name="甲乙丙有限公司")
    theirs = CustomerFactory(owner=other_salesperson, name="丁戊己有限公司")
    ContactFactory(customer=mine, name="王小明", phone="0912-345-678")
    ContactFactory(customer=theirs, name="王大明", phone="0912-345-999")
    my_contract = ContractFactory(customer=mine, number="C2099-00001")
    their_contract = ContractFactory(customer=theirs, number="C2099-00002")
    Quote.objects.create(number="Q2099-00001", customer=mine, owner=salesperson, unit=salesperson.unit)
    their_quote = Quote.objects.create(
        number="Q2099-00002", customer=theirs, owner=other_salesperson, unit=other_salesperson.unit
    )
    found = find_anything(user=salesperson, query="王")
    assert found.contacts == []  # one character is too short to search
    found = find_anything(user=salesperson, query="0912-345")
    assert [p.name for p in found.contacts] == ["王小明"]
    assert [d.number for d in find_anything(user=salesperson, query="c2099").contracts] == [my_contract.number]
    assert [d.number for d in find_anything(user=salesperson, query="Q2099").quotes] == ["Q2099-00001"]
    assert find_anything(user=salesperson, query="丁戊己").customers == []
    # Opening another's record from a guessed link is a 404, as everywhere.
    client.force_login(salesperson)
    assert client.get(f"/customers/{theirs.pk}/").status_code == 404
    assert client.get(f"/sales/contracts/{their_contract.pk}/").status_code == 404
    assert client.get(f"/sales/quotes/{their_quote.pk}/").status_code == 404
    html = client.get("/search/", {"q": "C2099"}).content.decode()
    assert my_contract.number in html and their_contract.number not in html


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_search_page_in_both_languages_with_bounded_queries(client, gm, book, lang, django_assert_max_num_queries):
    gm.language = lang
    gm.save(update_fields=["language"])
    client.force_login(gm)
    with translation.override(lang), django_assert_max_num_queries(20):
        response = client.get("/search/", {"q": "大童紡織"})
    assert response.status_code == 200
    assert "大同紡織股份有限公司" in response.content.decode()
    assert ("Search" if lang == "en" else "搜尋") in response.content.decode()


@pytest.mark.parametrize("q", ["", " ", "%", "_", "'; drop table", "x" * 5000, "０９１２", "Q", "大"])
def test_odd_queries_answer_200(client, salesperson, q):
    client.force_login(salesperson)
    assert client.get("/search/", {"q": q}).status_code == 200


def test_search_needs_login(client):
    assert client.get("/search/", {"q": "a"}).status_code == 302
