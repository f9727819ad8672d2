from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import home_data


@login_required
def home(request):
    return render(request, "workspace/home.html", {"data": home_data(user=request.user)})
