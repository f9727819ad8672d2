"""The year-end bonus rules (reports.rules): weights, the weighted score and sharing the pool to the cent."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from reports import rules

W = {
    "sales": Decimal("40"),
    "quality": Decimal("15"),
    "satisfaction": Decimal("15"),
    "market_share": Decimal("15"),
    "company": Decimal("15"),
}


def test_weights_must_add_up_to_100():
    assert rules.weights_error(W) is None
    assert rules.weights_error({**W, "company": Decimal("15.01")}) == "total"
    assert rules.weights_error({**W, "sales": Decimal("-1"), "company": Decimal("56")}) == "sales"


def test_weighted_score_by_hand():
    scores = {
        "sales": Decimal("80"),
        "quality": Decimal("90"),
        "satisfaction": None,
        "market_share": Decimal("50"),
        "company": Decimal("100"),
    }
    # 0.40 × 80 + 0.15 × 90 + 0 + 0.15 × 50 + 0.15 × 100 = 32 + 13.5 + 7.5 + 15 = 68.00
    assert rules.weighted_score(scores, W) == Decimal("68.00")


def test_a_pool_of_100_among_three_equal_scores_gives_the_odd_cent_to_the_first_key():
    shares = rules.distribute(Decimal("100.00"), {"a": Decimal("50"), "b": Decimal("50"), "c": Decimal("50")})
    assert [shares[k].amount for k in "abc"] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert [shares[k].extra_cent for k in "abc"] == [True, False, False]


def test_the_largest_remainder_gets_the_cent_and_zero_scores_get_nothing():
    # 1,000.00 × 68 / 141 = 482.2695…, × 50 / 141 = 354.6099…, × 23 / 141 = 163.1205…: floors 482.26 + 354.60 +
    # 163.12 = 999.98; the two cents go to the largest fractions (0.0099… of B, then 0.0095… of A).
    shares = rules.distribute(
        Decimal("1000.00"), {"A": Decimal("68"), "B": Decimal("50"), "C": Decimal("23"), "D": Decimal("0")}
    )
    assert {k: s.amount for k, s in shares.items()} == {
        "A": Decimal("482.27"),
        "B": Decimal("354.61"),
        "C": Decimal("163.12"),
        "D": Decimal("0.00"),
    }
    assert rules.distribute(Decimal("10"), {"A": Decimal("0")})["A"].amount == 0


@given(
    pool=st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False),
    scores=st.lists(
        st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=40,
    ),
)
def test_shares_add_up_to_the_pool_and_stay_within_a_cent(pool, scores):
    shares = rules.distribute(pool, dict(enumerate(scores)))
    if sum(scores) > 0:
        assert sum(s.amount for s in shares.values()) == pool
    for s in shares.values():
        assert abs(s.amount - s.exact) < Decimal("0.01")
        assert s.amount >= 0
