from django import template

from ..selectors import customer_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def reminders_customer_panel(context, customer):
    """The reorder prediction panel's data (a fixed number of queries) for the customer card."""
    request = context.get("request")
    return customer_panel(customer=customer, user=getattr(request, "user", None))
