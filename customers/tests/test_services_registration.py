import threading
import time

import pytest
from django.db import connection, transaction

from accounts.tests.factories import SalespersonFactory
from core.exceptions import ApplicationError, PermissionDenied
from customers.models import (
    ConflictStatus,
    Customer,
    CustomerConflict,
    CustomerIdentity,
    MemberLevel,
    OwnershipEvent,
    OwnershipEventKind,
)
from customers.services import (
    RegistrationRefused,
    conflict_confirm_owner,
    conflict_reassign,
    customer_claim_from_pool,
    customer_register,
    customer_release,
    customer_update,
)

pytestmark = pytest.mark.django_db


def register(user, name, **data):
    return customer_register(actor=user, data={"name": name, **data})


def test_register_claims_keys_and_logs_the_event(salesperson):
    c = register(salesperson, "台灣積體電路製造股份有限公司", tax_id="22099131", phone="03-563-6688")
    assert c.owner == salesperson and c.unit == salesperson.unit and c.owned_since
    assert set(CustomerIdentity.objects.filter(customer=c).values_list("kind", flat=True)) == {"tax", "name", "phone"}
    assert str(c.phone) == "+88635636688"
    event = OwnershipEvent.objects.get(customer=c)
    assert event.kind == OwnershipEventKind.REGISTER and event.to_owner == salesperson
    assert c.history.count() == 1


@pytest.mark.parametrize(
    "second",
    [
        {"name": "臺灣積體電路製造有限公司"},  # same normalised name (variant characters and suffix)
        {"name": "TSMC", "tax_id": "2209 9131"},  # same tax number
        {"name": "積電公司", "phone": "+886 3 563 6688"},  # same phone
    ],
)
def test_second_claim_by_another_salesperson_is_refused_and_recorded(salesperson, other_salesperson, second):
    first = register(salesperson, "台灣積體電路製造股份有限公司", tax_id="22099131", phone="03-563-6688")
    with pytest.raises(RegistrationRefused) as err:
        customer_register(actor=other_salesperson, data=second)
    assert err.value.code == "already_registered"
    msg = err.value.message
    assert salesperson.get_full_name() in msg and salesperson.unit.name in msg
    assert first.registered_at.astimezone().strftime("%Y-") in msg
    conflict = CustomerConflict.objects.get()
    assert conflict.customer == first and conflict.claimant == other_salesperson
    assert conflict.owner_at_claim == salesperson and conflict.status == ConflictStatus.OPEN
    assert Customer.objects.count() == 1


def test_registering_own_customer_twice_is_a_duplicate_not_a_conflict(salesperson):
    register(salesperson, "Acme Trading Co., Ltd.")
    with pytest.raises(RegistrationRefused) as err:
        register(salesperson, "ACME TRADING")
    assert err.value.code == "duplicate"
    assert not CustomerConflict.objects.exists()


def test_pool_customer_must_be_claimed_not_registered(gm, salesperson):
    pooled = customer_register(actor=gm, data={"name": "Harbor Logistics"}, to_pool=True)
    assert pooled.owner is None
    with pytest.raises(RegistrationRefused) as err:
        register(salesperson, "Harbor Logistics Ltd.")
    assert err.value.code == "in_pool"
    claimed = customer_claim_from_pool(customer_id=pooled.pk, actor=salesperson)
    assert claimed.owner == salesperson
    assert OwnershipEvent.objects.filter(customer=pooled, kind=OwnershipEventKind.CLAIM).exists()


def test_salesperson_cannot_register_for_someone_else(salesperson, other_salesperson):
    with pytest.raises(ApplicationError):
        customer_register(actor=salesperson, owner=other_salesperson, data={"name": "X Co"})


def test_invalid_phone_and_missing_name_name_the_field(salesperson):
    with pytest.raises(ApplicationError) as err:
        register(salesperson, "Y Co", phone="12")
    assert err.value.field == "phone"
    with pytest.raises(ApplicationError) as err:
        register(salesperson, "  ")
    assert err.value.field == "name"
    assert not Customer.objects.exists()


def test_edit_that_collides_is_refused_and_keeps_old_keys(salesperson, other_salesperson):
    register(salesperson, "Apex Tools")
    mine = register(other_salesperson, "Zenith Tools")
    with pytest.raises(ApplicationError) as err:
        customer_update(customer=mine, actor=other_salesperson, data={"name": "APEX TOOLS CO., LTD."})
    assert err.value.field == "name" and err.value.code == "already_registered"
    mine.refresh_from_db()
    assert mine.name == "Zenith Tools"
    assert CustomerIdentity.objects.get(customer=mine, kind="name").key == "zenithtools"


def test_salesperson_may_not_change_credit_but_manager_may(salesperson, manager):
    c = register(salesperson, "Credit Co")
    with pytest.raises(PermissionDenied) as err:
        customer_update(customer=c, actor=salesperson, data={"credit_limit": "500000"})
    assert err.value.field == "credit_limit"
    gold = MemberLevel.objects.create(name="金卡")
    customer_update(
        customer=c, actor=manager, data={"credit_limit": "500000.005", "tier": "member", "member_level": "金卡"}
    )
    c.refresh_from_db()
    assert str(c.credit_limit) == "500000.01" and c.tier == "member" and c.member_level == gold
    changed = c.history.first().diff_against(c.history.last())
    assert {ch.field for ch in changed.changes} >= {"credit_limit", "tier"}


def test_conflict_confirm_keeps_first_owner(salesperson, other_salesperson, gm):
    first = register(salesperson, "Sunrise Foods")
    with pytest.raises(RegistrationRefused) as err:
        register(other_salesperson, "Sunrise Foods LLC")
    conflict = err.value.conflict
    with pytest.raises(PermissionDenied):
        conflict_confirm_owner(conflict=conflict, actor=salesperson)
    conflict_confirm_owner(conflict=conflict, actor=gm, reason="first registered")
    conflict.refresh_from_db()
    first.refresh_from_db()
    assert conflict.status == ConflictStatus.CONFIRMED and conflict.decided_by == gm
    assert first.owner == salesperson
    assert OwnershipEvent.objects.filter(customer=first, kind=OwnershipEventKind.CONFIRM, conflict=conflict).exists()
    with pytest.raises(ApplicationError) as again:
        conflict_reassign(conflict=conflict, actor=gm, reason="changed mind")
    assert again.value.code == "decided"


def test_conflict_reassign_moves_owner_with_reason_in_history(salesperson, other_salesperson, gm):
    first = register(salesperson, "Evergreen Tooling")
    with pytest.raises(RegistrationRefused) as err:
        register(other_salesperson, "Evergreen Tooling GmbH")
    conflict = err.value.conflict
    with pytest.raises(ApplicationError) as no_reason:
        conflict_reassign(conflict=conflict, actor=gm, reason=" ")
    assert no_reason.value.field == "reason"
    conflict_reassign(conflict=conflict, actor=gm, reason="Customer's purchasing asked for the south team")
    first.refresh_from_db()
    assert first.owner == other_salesperson and first.unit == other_salesperson.unit
    event = OwnershipEvent.objects.get(customer=first, kind=OwnershipEventKind.REASSIGN)
    assert event.from_owner == salesperson and event.to_owner == other_salesperson and event.actor == gm
    assert "south team" in event.reason
    latest = first.history.first()
    assert latest.history_user == gm and "south team" in latest.history_change_reason


def test_ownership_events_are_append_only(salesperson):
    c = register(salesperson, "Ledger Co")
    event = OwnershipEvent.objects.get(customer=c)
    event.reason = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_release_by_owner_and_refusal_for_others(salesperson, other_salesperson):
    c = register(salesperson, "Release Co")
    with pytest.raises(PermissionDenied):
        customer_release(customer=c, actor=other_salesperson, reason="mine now")
    customer_release(customer=c, actor=salesperson, reason="no longer active")
    c.refresh_from_db()
    assert c.owner is None and c.unit is None


# --- real concurrency: two transactions on two connections ---------------------------------------------------


def _run_in_threads(*targets):
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_claims_yield_exactly_one_owner():
    a = SalespersonFactory()
    b = SalespersonFactory()
    barrier = threading.Barrier(2)
    results = {}

    def claim(user, name):
        def run():
            barrier.wait(10)
            try:
                results[user.pk] = customer_register(actor=user, data={"name": name, "tax_id": "53212539"})
            except RegistrationRefused as exc:
                results[user.pk] = exc

        return run

    errors = _run_in_threads(claim(a, "Pacific Rim Supply Co., Ltd."), claim(b, "太平洋供應有限公司"))
    assert errors == []
    assert Customer.objects.count() == 1
    winners = [r for r in results.values() if isinstance(r, Customer)]
    losers = [r for r in results.values() if isinstance(r, RegistrationRefused)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].code == "already_registered"
    conflict = CustomerConflict.objects.get()
    assert conflict.customer_id == winners[0].pk and conflict.owner_at_claim_id == winners[0].owner_id


@pytest.mark.django_db(transaction=True)
def test_second_claim_waits_for_the_first_transaction_and_loses():
    """Force the overlap: A has inserted but not committed when B registers; the unique index makes B wait."""
    a = SalespersonFactory()
    b = SalespersonFactory()
    a_inserted = threading.Event()
    b_started = threading.Event()
    outcome = {}

    def first():
        with transaction.atomic():
            outcome["a"] = customer_register(actor=a, data={"name": "同時科技股份有限公司", "phone": "02-2345-6789"})
            a_inserted.set()
            b_started.wait(10)
            time.sleep(0.3)  # let B reach the unique index while A's row is uncommitted

    def second():
        a_inserted.wait(10)
        b_started.set()
        try:
            outcome["b"] = customer_register(actor=b, data={"name": "同時科技有限公司"})
        except RegistrationRefused as exc:
            outcome["b"] = exc

    errors = _run_in_threads(first, second)
    assert errors == []
    assert isinstance(outcome["a"], Customer)
    assert isinstance(outcome["b"], RegistrationRefused) and outcome["b"].code == "already_registered"
    assert Customer.objects.count() == 1
    assert Customer.objects.get().owner_id == a.pk
    assert CustomerConflict.objects.filter(claimant=b).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_pool_claims_yield_one_owner():
    from accounts.tests.factories import GMFactory

    gm = GMFactory()
    pooled = customer_register(actor=gm, data={"name": "Pool Race Ltd"}, to_pool=True)
    a = SalespersonFactory()
    b = SalespersonFactory()
    barrier = threading.Barrier(2)
    results = []

    def claim(user):
        def run():
            barrier.wait(10)
            try:
                results.append(customer_claim_from_pool(customer_id=pooled.pk, actor=user))
            except RegistrationRefused as exc:
                results.append(exc)

        return run

    assert _run_in_threads(claim(a), claim(b)) == []
    pooled.refresh_from_db()
    assert pooled.owner_id in {a.pk, b.pk}
    assert sum(isinstance(r, Customer) for r in results) == 1
    assert OwnershipEvent.objects.filter(customer=pooled, kind=OwnershipEventKind.CLAIM).count() == 1
    assert CustomerConflict.objects.filter(customer=pooled, source="pool").count() == 1


def test_last_contact_is_kept_by_the_database_for_any_writer(salesperson):
    import datetime as dt

    from customers.models import ContactLog

    c = register(salesperson, "Trigger Co")
    t1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    t2 = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    first = ContactLog.objects.create(customer=c, author=salesperson, happened_at=t1)
    ContactLog.objects.bulk_create([ContactLog(customer=c, author=salesperson, happened_at=t2)])
    c.refresh_from_db()
    assert c.last_contact_at == t2
    ContactLog.objects.filter(happened_at=t2).delete()
    c.refresh_from_db()
    assert c.last_contact_at == t1
    first.delete()
    c.refresh_from_db()
    assert c.last_contact_at is None
