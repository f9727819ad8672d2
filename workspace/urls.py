from django.urls import path

from .views import home

# Not namespaced: templates link to the home page as {% url 'home' %}.
urlpatterns = [
    path("", home, name="home"),
]
