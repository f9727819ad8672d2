from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from core.api import exception_handler
from core.exceptions import ApplicationError, PermissionDenied


def test_a_permission_refusal_is_a_403_with_its_message_and_code():
    response = exception_handler(PermissionDenied("Only finance may do this.", field="month"), {})
    assert response.status_code == 403
    assert response.data == {
        "detail": "Only finance may do this.",
        "code": "forbidden",
        "month": ["Only finance may do this."],
    }


def test_a_permission_refusal_without_a_message_says_so_in_words():
    response = exception_handler(PermissionDenied(), {})
    assert response.status_code == 403
    assert response.data["detail"] == "You do not have permission to perform this action."


def test_the_core_refusal_is_djangos_so_pages_answer_403_but_not_an_application_error():
    assert issubclass(PermissionDenied, DjangoPermissionDenied)
    assert not issubclass(PermissionDenied, ApplicationError)


def test_an_application_error_stays_a_400_naming_the_field():
    response = exception_handler(ApplicationError("Too much.", field="amount", code="limit"), {})
    assert response.status_code == 400
    assert response.data == {"amount": ["Too much."], "code": "limit"}
