"""Activity timelines on customer, quote and contract pages; comments with @mentions that notify without leaking."""

import pytest
from django.urls import reverse

from core.models import Activity
from customers import services as customer_services
from customers.tests.factories import CustomerFactory
from reminders.models import Notification
from sales import services as sales_services
from sales.models import QuoteStatus
from sales.tests.factories import ContractFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def _lang(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _notes(user):
    return list(Notification.objects.filter(user=user).values_list("title", "body"))


# --- mentions and who is told ---------------------------------------------------------------------------------------


def test_mention_on_a_quote_notifies_the_mentioned_manager_once_in_their_language(salesperson, manager):
    _lang(salesperson, "en")
    _lang(manager, "zh-hant")
    quote = QuoteFactory(customer=CustomerFactory(owner=salesperson, name="大同紡織"))
    sales_services.quote_comment(
        quote=quote,
        actor=salesperson,
        body=f"@{manager.username} please look at the price, and again @{manager.username}",
    )
    notes = _notes(manager)
    assert len(notes) == 1
    title, body = notes[0]
    assert title == f"{salesperson.get_full_name()} 對報價單 {quote.number} 留言"
    assert "大同紡織" in body and "please look at the price" in body
    assert _notes(salesperson) == []  # the actor is never told of their own comment


def test_mention_by_full_name_reaches_that_person(salesperson, teammate, manager):
    _lang(teammate, "en")
    customer = CustomerFactory(owner=teammate)
    customer_services.customer_comment(customer=customer, actor=manager, body=f"@{salesperson.full_name} 請協助")
    # The owner hears of every comment; the mentioned salesperson cannot see a teammate's customer: not told.
    assert _notes(teammate) == [
        (f"{manager.get_full_name()} commented on customer {customer.name}", f"@{salesperson.full_name} 請協助")
    ]
    assert _notes(salesperson) == []


def test_a_mention_of_someone_who_may_not_see_the_record_does_not_leak_it(client, salesperson, other_salesperson):
    contract = ContractFactory(customer=CustomerFactory(owner=salesperson))
    activity = sales_services.contract_comment(
        contract=contract, actor=salesperson, body=f"@{other_salesperson.username} FYI"
    )
    assert Notification.objects.filter(user=other_salesperson).count() == 0
    assert activity.recipient_ids == [] and activity.data["mentions"] == []
    client.force_login(other_salesperson)
    assert client.get(reverse("sales:contract_detail", args=[contract.pk])).status_code == 404
    assert client.post(reverse("sales:contract_comment", args=[contract.pk]), {"body": "x"}).status_code == 404


def test_the_owner_is_told_of_a_managers_comment_once(salesperson, manager):
    _lang(salesperson, "zh-hant")
    contract = ContractFactory(customer=CustomerFactory(owner=salesperson))
    sales_services.contract_comment(contract=contract, actor=manager, body=f"@{salesperson.username} 記得備案")
    notes = _notes(salesperson)
    assert len(notes) == 1 and notes[0][0] == f"{manager.get_full_name()} 對契約 {contract.number} 留言"


def test_an_empty_comment_is_refused_naming_the_field(salesperson):
    quote = QuoteFactory(customer=CustomerFactory(owner=salesperson))
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        sales_services.quote_comment(quote=quote, actor=salesperson, body="   ")
    assert exc.value.field == "body"
    assert not Activity.objects.filter(action="commented").exists()


# --- pages ----------------------------------------------------------------------------------------------------------


def test_customer_timeline_tells_the_story_in_sentences_without_raw_codes(client, salesperson, teammate, manager):
    _lang(manager, "en")
    customer = customer_services.customer_register(actor=salesperson, data={"name": "時間軸客戶"})
    customer_services.customer_reassign(customer=customer, new_owner=teammate, actor=manager, reason="區域調整")
    customer_services.customer_comment(customer=customer, actor=manager, body="Welcome aboard")
    client.force_login(manager)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    timeline = page[page.index('id="activity"') :]
    assert f"{salesperson.get_full_name()} registered the customer for {salesperson.get_full_name()}" in timeline
    assert f"reassigned the customer from {salesperson.get_full_name()} to {teammate.get_full_name()}" in timeline
    assert "Welcome aboard" in timeline
    for code in (">register<", "reassign:", "registered (", ">web<"):
        assert code not in timeline


def test_customer_timeline_in_chinese(client, salesperson):
    _lang(salesperson, "zh-hant")
    customer = customer_services.customer_register(actor=salesperson, data={"name": "中文時間軸"})
    client.force_login(salesperson)
    page = client.get(reverse("customers:detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="zh-hant")
    text = page.content.decode()
    assert f"{salesperson.get_full_name()} 為 {salesperson.get_full_name()} 登錄了客戶" in text


def test_posting_a_comment_with_htmx_returns_the_refreshed_timeline(client, salesperson, manager):
    quote = QuoteFactory(customer=CustomerFactory(owner=salesperson))
    client.force_login(salesperson)
    url = reverse("sales:quote_comment", args=[quote.pk])
    response = client.post(url, {"body": f"@{manager.username} 請核准"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="activity"' in response.content.decode() and "請核准" in response.content.decode()
    assert Notification.objects.filter(user=manager).count() == 1
    empty = client.post(url, {"body": ""}, HTTP_HX_REQUEST="true")
    assert 'id="comment-error"' in empty.content.decode()
    plain = client.post(url, {"body": "ok"})
    assert plain.status_code == 302 and plain["Location"] == reverse("sales:quote_detail", args=[quote.pk])


def test_quote_timeline_shows_submission_and_outcome(client, salesperson, manager):
    quote = QuoteFactory(customer=CustomerFactory(owner=salesperson), status=QuoteStatus.APPROVED)
    sales_services.quote_set_outcome(actor=salesperson, quote=quote, status=QuoteStatus.SENT)
    client.force_login(manager)
    text = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    assert f"{salesperson.get_full_name()} sent the quote to the customer" in text
    assert f"{salesperson.get_full_name()} created the quote" in text


@pytest.mark.parametrize("comments", [1, 12])
def test_detail_pages_with_timeline_have_bounded_queries(
    client, salesperson, manager, comments, django_assert_max_num_queries
):
    customer = CustomerFactory(owner=salesperson)
    quote = QuoteFactory(customer=customer)
    contract = ContractFactory(customer=customer)
    for i in range(comments):
        customer_services.customer_comment(customer=customer, actor=manager, body=f"c{i}")
        sales_services.quote_comment(quote=quote, actor=manager, body=f"q{i}")
        sales_services.contract_comment(contract=contract, actor=manager, body=f"k{i}")
    client.force_login(manager)
    for url in (
        reverse("customers:detail", args=[customer.pk]),
        reverse("sales:quote_detail", args=[quote.pk]),
        reverse("sales:contract_detail", args=[contract.pk]),
    ):
        with django_assert_max_num_queries(40):
            assert client.get(url).status_code == 200


# --- API ------------------------------------------------------------------------------------------------------------


def test_api_timeline_and_comment(api_client, salesperson, manager, other_salesperson, django_assert_max_num_queries):
    quote = QuoteFactory(customer=CustomerFactory(owner=salesperson))
    api_client.force_authenticate(salesperson)
    url = f"/api/v1/quotes/{quote.pk}/comments/"
    response = api_client.post(url, {"body": f"@{manager.username} @{other_salesperson.username} 請看"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["notified"] == [manager.pk]  # the other unit's salesperson may not see it: not told
    assert api_client.post(url, {"body": ""}, format="json").json().keys() >= {"body"}
    with django_assert_max_num_queries(12):
        rows = api_client.get(f"/api/v1/quotes/{quote.pk}/timeline/").json()
    assert [r["kind"] for r in rows][:1] == ["comment"] and rows[0]["note"].endswith("請看")
    api_client.force_authenticate(other_salesperson)
    assert api_client.get(f"/api/v1/quotes/{quote.pk}/timeline/").status_code == 404
    assert api_client.post(url, {"body": "x"}, format="json").status_code == 404


@pytest.mark.parametrize("kind", ["customers", "contracts"])
def test_api_timeline_of_customers_and_contracts(api_client, salesperson, manager, kind):
    customer = CustomerFactory(owner=salesperson)
    pk = customer.pk if kind == "customers" else ContractFactory(customer=customer).pk
    api_client.force_authenticate(manager)
    assert api_client.post(f"/api/v1/{kind}/{pk}/comments/", {"body": "留言"}, format="json").status_code == 201
    assert Notification.objects.filter(user=salesperson).count() == 1
    rows = api_client.get(f"/api/v1/{kind}/{pk}/timeline/").json()
    assert any(r["kind"] == "comment" and r["note"] == "留言" for r in rows)
