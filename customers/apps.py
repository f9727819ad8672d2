from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# pg_trgm's default word-similarity threshold (0.6) misses one-letter typos in short words ("Formsa" for
# "Formosa" scores 0.57). The search uses the indexed <% operator, so the threshold is set per connection.
WORD_SIMILARITY_THRESHOLD = 0.45


def _set_trigram_threshold(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET pg_trgm.word_similarity_threshold = {WORD_SIMILARITY_THRESHOLD}")


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from django.db.backends.signals import connection_created

        connection_created.connect(_set_trigram_threshold, dispatch_uid="customers_trigram_threshold")

        from core.events import subscribe

        from .services import contact_log_from_event

        subscribe(contact_log_from_event)
        from core import reference_data

        from . import reference

        reference_data.connect(self, reference.seed)
