from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .inbox import inbox_count, inbox_items, inbox_page
from .search import find_anything
from .selectors import home_data


@login_required
def home(request):
    # The inbox section is fetched by htmx right after the page loads (`inbox?fragment=1`): the home page's own
    # queries stay as they were, the inbox's are counted on the inbox page.
    return render(request, "workspace/home.html", {"data": home_data(user=request.user)})


@login_required
def inbox(request):
    if request.GET.get("fragment"):  # the home page's section: no navbar
        items = inbox_items(user=request.user)
        return render(request, "workspace/_inbox_list.html", {"inbox": items, "inbox_count": len(items)})
    # The navbar's inbox count is the list's length here, and the bell's count is read with the list (one round
    # trip): no badge statement.
    items, unread = inbox_page(user=request.user)
    context = {"inbox": items, "inbox_count": len(items), "unread_notifications": unread}
    return render(request, "workspace/inbox.html", context)


@login_required
@require_GET
def inbox_badge(request):
    """The navbar's inbox link with its count: polled by htmx so the count rises without a reload."""
    return render(request, "workspace/_inbox_badge.html", {"inbox_count": inbox_count(user=request.user)})


@login_required
@require_GET
def search(request):
    """The navbar search: everything the user may see that matches, grouped by kind."""
    results = find_anything(user=request.user, query=request.GET.get("q", ""))
    return render(request, "workspace/search.html", {"results": results, "q": results.query})
