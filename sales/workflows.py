"""The quote and contract workflow tables: state, action, who may. Services guard with them (`check`), pages draw
their buttons and the API its `actions` field from them (`actions_for`), the inbox lists what awaits a user."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.unit_policy import unit_policy_workflow
from core.workflow import Transition, Workflow, decision_pair
from sales import permissions as p
from sales.models import ContractStatus, InquiryStatus, QuoteStatus, ReturnStatus

Q = QuoteStatus
C = ContractStatus


def _quote_outcome_state(new: str):
    def message(quote) -> str:
        return _("A quote in status “%(status)s” cannot go to “%(new)s”.") % {
            "status": quote.get_status_display(),
            "new": Q(new).label,
        }

    return message


_QUOTE_DO = gettext_lazy("Only the salesperson or their manager may do this.")

QUOTE = Workflow(
    document="sales.quote",
    transitions=(
        Transition(
            "change",
            frozenset({Q.DRAFT, Q.IN_REVIEW, Q.APPROVED}),
            Q.DRAFT,
            p.may_work_on_quote,
            gettext_lazy("Change"),
            denied=gettext_lazy("Only the salesperson or their manager may change this quote."),
            wrong_state=gettext_lazy("A quote sent to the customer cannot be changed."),
        ),
        Transition(
            "submit",
            frozenset({Q.DRAFT}),
            Q.IN_REVIEW,
            p.may_work_on_quote,
            gettext_lazy("Submit"),
            denied=gettext_lazy("Only the salesperson or their manager may submit this quote."),
            wrong_state=gettext_lazy("Only a draft quote can be submitted."),
        ),
        *decision_pair(
            frozenset({Q.IN_REVIEW}),
            Q.APPROVED,
            Q.DRAFT,
            p.may_review_quote,
            denied=gettext_lazy("Only the department manager may approve this quote."),
            wrong_state=gettext_lazy("This quote is not awaiting approval."),
        ),
        Transition(
            "sent",
            frozenset({Q.APPROVED}),
            Q.SENT,
            p.may_work_on_quote,
            gettext_lazy("Mark sent to customer"),
            denied=_QUOTE_DO,
            wrong_state=_quote_outcome_state(Q.SENT),
        ),
        Transition(
            "accepted",
            frozenset({Q.SENT}),
            Q.ACCEPTED,
            p.may_work_on_quote,
            gettext_lazy("Accepted"),
            denied=_QUOTE_DO,
            wrong_state=_quote_outcome_state(Q.ACCEPTED),
            style="success",
        ),
        Transition(
            "declined",
            frozenset({Q.SENT, Q.APPROVED}),
            Q.DECLINED,
            p.may_work_on_quote,
            gettext_lazy("Declined"),
            denied=_QUOTE_DO,
            wrong_state=_quote_outcome_state(Q.DECLINED),
            style="outline-danger",
        ),
        Transition(
            "contract",
            frozenset({Q.APPROVED, Q.SENT, Q.ACCEPTED}),
            Q.ACCEPTED,
            p.may_work_on_quote,
            gettext_lazy("Make a contract"),
            denied=_QUOTE_DO,
            wrong_state=gettext_lazy("Only an approved quote can become a contract."),
            style="outline-primary",
        ),
    ),
)


def _contract_state(template: str):
    def message(contract) -> str:
        return _(template) % {"status": contract.get_status_display()}

    return message


EDITABLE = frozenset({C.DRAFT, C.REJECTED})

CONTRACT = Workflow(
    document="sales.contract",
    transitions=(
        Transition(
            "change",
            EDITABLE,
            C.DRAFT,
            p.may_work_on_contract,
            gettext_lazy("Change"),
            denied=gettext_lazy("Only the salesperson or their manager may change this contract."),
            wrong_state=_contract_state(gettext_noop("A contract in status “%(status)s” cannot be changed.")),
        ),
        Transition(
            "submit",
            EDITABLE,
            C.IN_REVIEW,
            p.may_work_on_contract,
            gettext_lazy("Submit for review"),
            denied=gettext_lazy("Only the salesperson or their manager may submit this contract."),
            wrong_state=_contract_state(
                gettext_noop("Only a draft or rejected contract can be submitted (it is “%(status)s”).")
            ),
        ),
        *decision_pair(
            frozenset({C.IN_REVIEW}),
            C.APPROVED,
            C.REJECTED,
            p.may_decide_contract,
            denied=gettext_lazy("This contract needs no approval from you."),
            reject_denied=gettext_lazy("This contract needs no decision from you."),
            wrong_state=_contract_state(gettext_noop("This contract is not in review (it is “%(status)s”).")),
            state_first=True,
        ),
        Transition(
            "sign",
            frozenset({C.APPROVED}),
            C.SIGNED,
            p.may_work_on_contract,
            gettext_lazy("Record signature"),
            denied=gettext_lazy("Only the salesperson or their manager may sign this contract."),
            wrong_state=_contract_state(gettext_noop("Only an approved contract can be signed (it is “%(status)s”).")),
        ),
        # signed → filed is no one's button: finance, the GM office and administration each record receipt of the
        # original (documents app); the third receipt files the contract (services.contracts.contract_file_on_receipts).
        Transition(
            "cancel",
            frozenset({C.DRAFT, C.REJECTED, C.IN_REVIEW, C.APPROVED}),
            C.CANCELLED,
            p.may_work_on_contract,
            gettext_lazy("Cancel contract"),
            denied=gettext_lazy("Only the salesperson or their manager may cancel this contract."),
            wrong_state=gettext_lazy("A signed contract cannot be cancelled."),
            needs_reason=True,
        ),
    ),
)


PI = InquiryStatus

PRICE_INQUIRY = Workflow(
    document="sales.price_inquiry",
    transitions=(
        Transition(
            "answer",
            frozenset({PI.OPEN}),
            PI.ANSWERED,
            p.may_answer_inquiry,
            gettext_lazy("Answer"),
            denied=gettext_lazy("Only the producing unit's manager answers this price inquiry."),
            wrong_state=gettext_lazy("This price inquiry is not awaiting an answer."),
            awaits=True,
            style="success",
        ),
        Transition(
            "attach",
            frozenset({PI.OPEN, PI.ANSWERED}),
            PI.OPEN,  # the state does not change: the service keeps it
            p.may_withdraw_inquiry,
            gettext_lazy("Attach the stamped inquiry"),
            denied=gettext_lazy("Only whoever asked, or their manager, may attach the stamped inquiry."),
            wrong_state=gettext_lazy("A cancelled price inquiry cannot be changed."),
            style="outline-primary",
        ),
        Transition(
            "cancel",
            frozenset({PI.OPEN}),
            PI.CANCELLED,
            p.may_withdraw_inquiry,
            gettext_lazy("Withdraw"),
            denied=gettext_lazy("Only whoever asked, or their manager, may withdraw this price inquiry."),
            wrong_state=gettext_lazy("This price inquiry is not awaiting an answer."),
            style="outline-danger",
        ),
    ),
)


# A unit's own sales rules (實施細則): proposed by its manager, decided by the GM office (accounts.unit_policy).
UNIT_POLICY = unit_policy_workflow("sales.unit_policy")


SALES_RETURN = Workflow(
    document="sales.return",
    transitions=decision_pair(
        frozenset({ReturnStatus.PENDING}),
        ReturnStatus.APPROVED,
        ReturnStatus.REJECTED,
        p.may_decide_return,
        denied=gettext_lazy("Only the unit's manager decides a return, and not one they recorded."),
        wrong_state=gettext_lazy("This return has already been decided."),
        state_code="decided",
    ),
)
