from django.urls import path

from .views import home, inbox, inbox_badge, search

# Not namespaced: templates link to the home page as {% url 'home' %}.
urlpatterns = [
    path("", home, name="home"),
    path("inbox/", inbox, name="inbox"),
    path("inbox/badge/", inbox_badge, name="inbox_badge"),
    path("search/", search, name="search"),
]
