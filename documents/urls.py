from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("settings/", views.company_settings, name="company_settings"),
    path("settings/filing-desk/", views.filing_desk_set, name="filing_desk_set"),
    path("filing/", views.filing_inbox, name="filing_inbox"),
    path("quotes/<int:pk>/", views.quote_papers, name="quote_papers"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/internal.pdf", views.quote_cost_sheet, name="quote_cost_sheet"),
    path("contracts/<int:pk>/", views.contract_papers, name="contract_papers"),
    path("contracts/<int:pk>/pdf/", views.contract_pdf, name="contract_pdf"),
    path("contracts/<int:pk>/receipt/<slug:department>/", views.filing_confirm, name="filing_confirm"),
    path("contracts/<int:pk>/purchase-order/", views.purchase_order_save, name="purchase_order_save"),
    path("<slug:kind>/<int:pk>/send/", views.document_send, name="document_send"),
    path("<slug:kind>/<int:pk>/tax/", views.document_tax_mode, name="document_tax_mode"),
    path("sent/<int:pk>/pdf/", views.dispatch_pdf, name="dispatch_pdf"),
    path("customers/<int:pk>/", views.customer_papers, name="customer_papers"),
    path("customers/<int:pk>/statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("files/<slug:target>/<int:target_id>/upload/", views.attachment_upload, name="attachment_upload"),
    path("files/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("files/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
