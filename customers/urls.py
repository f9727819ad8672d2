from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.<str:fmt>", views.customer_export, name="export"),
    path("new/", views.customer_create, name="create"),
    path("member-hint/", views.member_hint, name="member_hint"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/logs/new/", views.log_create, name="log_create"),
    path("<int:pk>/strategy/", views.strategy_edit, name="strategy"),
    path("<int:pk>/evaluations/new/", views.evaluation_create, name="evaluation_create"),
    path("<int:pk>/reassign/", views.customer_reassign_view, name="reassign"),
    path("<int:pk>/release/", views.customer_release_view, name="release"),
    path("<int:pk>/comments/", views.customer_comment_view, name="comment"),
    path("pool/", views.pool, name="pool"),
    path("pool/<int:pk>/claim/", views.pool_claim, name="pool_claim"),
    path("conflicts/", views.conflict_list, name="conflicts"),
    path("conflicts/<int:pk>/decide/", views.conflict_decide, name="conflict_decide"),
    path("conflicts/<int:pk>/reassign/", views.conflict_reassign_confirm, name="conflict_reassign"),
    path("filing/", views.filing, name="filing"),
    path("filing/<int:unit_pk>/file/", views.filing_file, name="filing_file"),
    path("filing/<int:unit_pk>/export.xlsx", views.filing_export, name="filing_export"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
]
