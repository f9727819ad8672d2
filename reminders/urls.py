from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/snooze/", views.snooze, name="snooze"),
    path("<int:pk>/done/", views.done, name="done"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/messages/", views.message_templates, name="message_templates"),
    path("customers/<int:customer_pk>/messaging/", views.preference_edit, name="preference"),
]
