import pytest

from customers.identity import identity_keys, normalize_name, normalize_phone, normalize_tax_id

# (a, b) pairs that name the same company and must collide.
SAME = [
    ("台灣積體電路製造股份有限公司", "台湾积体电路制造股份有限公司"),
    ("台灣積體電路製造股份有限公司", "臺灣積體電路製造有限公司"),
    ("鴻海精密工業股份有限公司", "鴻海精密工業公司"),
    ("鴻海精密工業股份有限公司", "鸿海精密工业有限公司"),
    ("宏達國際電子股份有限公司", " 宏達國際電子 股份有限公司 "),
    ("統一企業股份有限公司", "統一企業公司"),
    ("大同股份有限公司", "大同（股份有限公司）"),
    ("長榮海運股份有限公司", "长荣海运股份有限公司"),
    ("ＡＢＣ貿易有限公司", "ABC貿易有限公司"),
    ("三陽工業股份有限公司", "三陽工業"),
    ("Acme Trading Co., Ltd.", "ACME TRADING CO LTD"),
    ("Acme Trading Co., Ltd.", "Acme Trading Company Limited"),
    ("Acme Trading Co., Ltd.", "ａｃｍｅ　ｔｒａｄｉｎｇ"),
    ("The Pacific Rim Supply Corporation", "Pacific Rim Supply Corp."),
    ("Formosa Components Inc.", "Formosa Components, Incorporated"),
    ("Harbor & Sons Logistics Ltd", "Harbor and Sons Logistics Limited"),
    ("Evergreen Tooling GmbH", "Evergreen-Tooling"),
    ("Sunrise Foods LLC", "Sunrise Foods, L.L.C."),
    ("O'Neil Machinery Pte. Ltd.", "ONeil Machinery"),
    ("研華股份有限公司", "研華 Co., Ltd."),
]

# Different companies that must not collide.
DIFFERENT = [
    ("台灣積體電路製造股份有限公司", "聯華電子股份有限公司"),
    ("台塑石化股份有限公司", "台灣塑膠工業股份有限公司"),
    ("台灣大哥大股份有限公司", "台灣大車隊股份有限公司"),
    ("新竹機械股份有限公司", "台中機械股份有限公司"),
    ("大同股份有限公司", "大同醫護股份有限公司"),
    ("統一企業股份有限公司", "統一超商股份有限公司"),
    ("三陽工業股份有限公司", "三陽電機股份有限公司"),
    ("鴻海精密工業股份有限公司", "鴻準精密工業股份有限公司"),
    ("Acme Trading Co., Ltd.", "Acme Tradings Co., Ltd."),
    ("Acme Trading Co., Ltd.", "Apex Trading Co., Ltd."),
    ("Pacific Rim Supply", "Pacific Rim Supplies Taiwan"),
    ("Formosa Components Inc.", "Formosa Component Services Inc."),
    ("Harbor Logistics Ltd", "Harbour Logistics Ltd"),
    ("Sunrise Foods LLC", "Sunset Foods LLC"),
    ("Evergreen Tooling", "Evergreen Marine"),
    ("華新麗華股份有限公司", "華新科技股份有限公司"),
    ("長興材料工業股份有限公司", "長興化學工業股份有限公司"),
    ("ABC Co., Ltd.", "ABD Co., Ltd."),
    ("國泰人壽保險股份有限公司", "國泰產物保險股份有限公司"),
    ("永豐餘投資控股股份有限公司", "永豐金融控股股份有限公司"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_company_names_collide(a, b):
    assert normalize_name(a) == normalize_name(b)
    assert normalize_name(a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_company_names_do_not_collide(a, b):
    assert normalize_name(a) != normalize_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("02-2700-1234", "+886 2 2700 1234"),
        ("(02)27001234", "02 2700 1234"),
        ("０２－２７００－１２３４", "0227001234"),
        ("0912-345-678", "+886912345678"),
        ("04-2325-6789", "+886-4-23256789"),
    ],
)
def test_phone_variants_collide(a, b):
    assert normalize_phone(a) == normalize_phone(b)


def test_different_phones_do_not_collide():
    assert normalize_phone("02-2700-1234") != normalize_phone("04-2700-1234")
    assert normalize_phone("0912-345-678") != normalize_phone("0912-345-679")


def test_tax_id_folds_width_and_separators():
    assert normalize_tax_id("２２０９９１３１") == normalize_tax_id("2209-9131") == "22099131"


def test_identity_keys_only_for_what_the_customer_has():
    assert set(identity_keys(name="Acme Ltd")) == {"name"}
    assert set(identity_keys(name="Acme Ltd", tax_id="22099131", phone="02-2700-1234")) == {"tax", "name", "phone"}


def test_suffix_alone_is_not_stripped_to_nothing():
    assert normalize_name("Co., Ltd.") != ""
    assert normalize_name("公司") == "公司"
