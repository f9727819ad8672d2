"""API of the reports app. register() adds its viewsets to the /api/v1/ router."""


def register(router) -> None:
    pass
