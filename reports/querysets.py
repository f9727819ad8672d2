from core.visibility import VisibleQuerySet


class DailyReportQuerySet(VisibleQuerySet):
    owner_field = "author"
