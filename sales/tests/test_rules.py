"""Each approval rule on its own, with the boundary cases of the rule book (pure: no database)."""

from decimal import Decimal as D

from sales import rules


def line(*, list_price="1000", discount="0", standard="1000", cost="700", qty="1", unit_price=None):
    lp = D(list_price)
    disc = D(discount)
    return rules.LineFacts(
        product="P-1",
        quantity=D(qty),
        list_price=lp,
        discount_percent=disc,
        unit_price=D(unit_price) if unit_price else lp * (100 - disc) / 100,
        standard_price=D(standard),
        unit_cost=D(cost),
    )


def facts(**kw):
    base = dict(
        lines=(line(),),
        amount=D("1000"),
        cost_total=D("700"),
        discount_authority=D("15"),
        margin_review_percent=D("20"),
        prepayment_threshold=D("100000"),
    )
    base.update(kw)
    return rules.DealFacts(**base)


def codes(hits):
    return [h.code for h in hits]


class TestPriceBelowStandard:
    def test_equal_to_standard_does_not_fire(self):
        assert rules.price_below_standard(facts(lines=(line(list_price="1000"),))) == []

    def test_one_cent_below_fires_for_manager(self):
        hits = rules.price_below_standard(facts(lines=(line(list_price="999.99"),)))
        assert codes(hits) == ["price_below_standard"]
        assert hits[0].approver == rules.MANAGER
        assert "999.99" in hits[0].message and "1,000.00" in hits[0].message

    def test_above_standard_does_not_fire(self):
        assert rules.price_below_standard(facts(lines=(line(list_price="1200"),))) == []


class TestDiscountAuthority:
    def test_discount_equal_to_authority_is_within_it(self):
        assert rules.discount_beyond_authority(facts(lines=(line(discount="15"),))) == []

    def test_discount_just_above_authority_fires(self):
        hits = rules.discount_beyond_authority(facts(lines=(line(discount="15.01"),)))
        assert codes(hits) == ["discount_beyond_authority"]
        assert hits[0].approver == rules.MANAGER

    def test_message_names_both_numbers(self):
        hits = rules.discount_beyond_authority(facts(lines=(line(discount="18"),)))
        assert "discount 18 % exceeds your 15 % authority" in hits[0].message

    def test_each_line_is_reported(self):
        hits = rules.discount_beyond_authority(facts(lines=(line(discount="20"), line(discount="30"))))
        assert len(hits) == 2

    def test_zero_authority_fires_on_any_discount(self):
        hits = rules.discount_beyond_authority(facts(lines=(line(discount="0.5"),), discount_authority=D("0")))
        assert len(hits) == 1


class TestMargin:
    def test_exactly_20_percent_does_not_fire(self):
        assert rules.margin_below_threshold(facts(amount=D("1000"), cost_total=D("800"))) == []

    def test_just_below_20_percent_fires_for_gm_office(self):
        hits = rules.margin_below_threshold(facts(amount=D("1000"), cost_total=D("800.01")))
        assert codes(hits) == ["margin_below_threshold"]
        assert hits[0].approver == rules.GM_OFFICE
        assert hits[0].confidential
        assert "19.99" in hits[0].message
        assert "19.99" not in hits[0].public_message and "800" not in hits[0].public_message

    def test_threshold_comes_from_the_facts(self):
        assert rules.margin_below_threshold(facts(cost_total=D("800"), margin_review_percent=D("25")))

    def test_quotes_are_not_margin_reviewed(self):
        assert rules.margin_below_threshold(facts(cost_total=D("999"), is_quote=True)) == []

    def test_zero_amount_has_no_margin(self):
        assert rules.margin_below_threshold(facts(amount=D("0"), cost_total=D("0"))) == []


class TestPrepayment:
    def test_exactly_100000_needs_prepayment(self):
        hits = rules.prepayment_required(facts(amount=D("100000")))
        assert codes(hits) == ["prepayment_required"]
        assert hits[0].blocking and hits[0].approver is None

    def test_just_below_does_not(self):
        assert rules.prepayment_required(facts(amount=D("99999.99"))) == []

    def test_stated_prepayment_satisfies_it(self):
        assert rules.prepayment_required(facts(amount=D("100000"), prepayment_amount=D("30000"))) == []

    def test_threshold_from_settings(self):
        assert rules.prepayment_required(facts(amount=D("60000"), prepayment_threshold=D("50000")))


class TestPurchaseOrderBasis:
    def test_full_contract_does_not_fire(self):
        assert rules.purchase_order_basis(facts()) == []

    def test_untrusted_customer_is_blocked(self):
        hits = rules.purchase_order_basis(facts(purchase_order_basis=True, customer_trusted=False))
        assert codes(hits) == ["purchase_order_untrusted"] and hits[0].blocking

    def test_trusted_customer_needs_department_consent(self):
        hits = rules.purchase_order_basis(facts(purchase_order_basis=True, customer_trusted=True))
        assert codes(hits) == ["purchase_order_consent"] and hits[0].approver == rules.MANAGER


class TestCreditLimit:
    def test_exactly_at_limit_does_not_fire(self):
        assert rules.credit_limit_exceeded(facts(credit_limit=D("5000"), open_receivables=D("4000"))) == []

    def test_past_limit_fires_for_manager(self):
        hits = rules.credit_limit_exceeded(facts(credit_limit=D("5000"), open_receivables=D("4000.01")))
        assert codes(hits) == ["credit_limit_exceeded"] and hits[0].approver == rules.MANAGER


class TestEvaluate:
    def test_all_hits_are_returned_together(self):
        hits = rules.evaluate(
            facts(
                lines=(line(list_price="900", discount="20", standard="1000", cost="850"),),
                amount=D("120000"),
                cost_total=D("110000"),
                credit_limit=D("1000"),
            )
        )
        assert set(codes(hits)) == {
            "department_review",
            "price_below_standard",
            "discount_beyond_authority",
            "margin_below_threshold",
            "prepayment_required",
            "credit_limit_exceeded",
        }
        assert rules.required_approvers(hits) == [rules.MANAGER, rules.GM_OFFICE]
        assert codes(rules.blocking(hits)) == ["prepayment_required"]

    def test_clean_deal_fires_only_the_department_review(self):
        # 契約評審: every contract is reviewed by its unit's department, even when no other rule fires.
        assert codes(rules.evaluate(facts(credit_limit=D("1000000")))) == ["department_review"]


def test_reasons_are_translated_to_traditional_chinese():
    from django.utils import translation

    hits = rules.discount_beyond_authority(facts(lines=(line(discount="18"),)))
    stored = hits[0].as_dict()  # as kept with an approval
    with translation.override("zh-hant"):
        assert "折扣 18 % 超過您的折扣許可權 15 %" in hits[0].message
        assert "折扣 18 % 超過您的折扣許可權 15 %" in rules.stored_message(stored, None)
    with translation.override("en"):
        assert "discount 18 % exceeds your 15 % authority" in rules.stored_message(stored, None)


def test_stored_confidential_reason_is_public_for_non_cost_viewers():
    stored = rules.margin_below_threshold(facts(cost_total=D("900")))[0].as_dict()
    assert rules.stored_message(stored, None) == (
        "the profit margin is below the company threshold: the GM office must review"
    )
