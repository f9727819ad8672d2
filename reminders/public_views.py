"""Pages and webhooks reached from outside, without a login: the customer's opt-out link and the SMS provider's
delivery reports and replies (those two behind a secret in the URL)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from customers.models import Customer

from . import consent
from .customer_messages import read_opt_out_token
from .models import ConsentSource


@require_http_methods(["GET", "POST"])
def opt_out(request, token: str):
    """GET shows one button (a link scanner's GET changes nothing); POST unsubscribes at once."""
    customer_id = read_opt_out_token(token)
    customer = Customer.objects.filter(pk=customer_id).only("id", "name").first() if customer_id else None
    if customer is None:
        return render(request, "reminders/opt_out.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        consent.consent_withdraw(customer_id=customer.pk, source=ConsentSource.LINK, detail="opt-out link")
        done = True
    return render(request, "reminders/opt_out.html", {"customer": customer, "done": done})


def _check_token(token: str) -> None:
    expected = settings.SMS_WEBHOOK_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sms_report(request, token: str):
    """Mitake's delivery report (`response` URL): msgid and statuscode as query or form fields."""
    _check_token(token)
    data = request.POST if request.method == "POST" else request.GET
    msgid = data.get("msgid", "")[:64]
    consent.delivery_report(message_id=msgid, code=data.get("statuscode", "")[:4])
    # Mitake expects this acknowledgement, else it reports again.
    return HttpResponse(f"magicid=sms_gateway_rpack\nmsgid={msgid}\n", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sms_reply(request, token: str):
    """A customer's reply to one of our messages (Mitake's MO push, or any provider posting `from`/`text`): a
    STOP / 退訂 unsubscribes that number at once."""
    _check_token(token)
    data = request.POST if request.method == "POST" else request.GET
    sender = (data.get("srcaddr") or data.get("from") or "")[:32]
    text = (data.get("smbody") or data.get("text") or "")[:500]
    ids = consent.opt_out_by_reply(sender=sender, text=text)
    return HttpResponse(f"ok {len(ids)}\n", content_type="text/plain")
