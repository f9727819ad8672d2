from django import forms
from django.core.exceptions import ValidationError

from core.exceptions import ApplicationError
from core.forms import apply_service_error


class _Form(forms.Form):
    name = forms.CharField(required=False)


def _bound() -> _Form:
    form = _Form(data={"name": "x"})
    assert form.is_valid()
    return form


def test_an_application_error_naming_a_field_of_the_form_lands_on_that_field():
    form = _bound()
    apply_service_error(form, ApplicationError("Bad name.", field="name"))
    assert form.errors == {"name": ["Bad name."]}


def test_an_application_error_naming_another_field_is_a_non_field_error():
    form = _bound()
    apply_service_error(form, ApplicationError("Bad owner.", field="owner"))
    assert form.non_field_errors() == ["Bad owner."]


def test_each_message_of_a_validation_error_is_a_non_field_error():
    form = _bound()
    apply_service_error(form, ValidationError(["One.", "Two."]))
    assert form.non_field_errors() == ["One.", "Two."]
