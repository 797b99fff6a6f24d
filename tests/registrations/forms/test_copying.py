"""The registration form's fields, copied for each form by forms/copying.py, are what Django's
deep copy makes of them: the same classes and values, shared with the original where Django's
copy shares them, new where it copies."""

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from registrations.forms.copying import CheaplyCopiedFields, fields_copy
from registrations.forms.registration import RegistrationForm
from registrations.models import QuestionType
from tests.factories import ConferenceFactory, SessionFactory
from tests.factories.questions import QuestionChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def describe(obj: Any, original: Any, seen: dict[int, str], path: str) -> Any:
    """A tree that two copies of one original share when they copy and share the same parts."""
    if obj is original and not isinstance(obj, (str, int, type(None))):
        return ("shared with the original",)
    if id(obj) in seen:
        return ("seen at", seen[id(obj)])
    if isinstance(obj, (forms.Field, forms.Widget, ModelChoiceIterator)) or (
        hasattr(obj, "__dict__") and type(obj).__module__.startswith("django.forms")
    ):
        seen[id(obj)] = path
        return (
            type(obj),
            {
                name: describe(value, getattr(original, name, None), seen, f"{path}.{name}")
                for name, value in sorted(vars(obj).items())
            },
        )
    if isinstance(obj, QuerySet):
        seen[id(obj)] = path
        return ("queryset", type(obj), obj.model, str(obj.query.where), obj._result_cache)
    if isinstance(obj, (list, tuple)):
        seen[id(obj)] = path
        originals = list(original) if isinstance(original, (list, tuple)) else []
        originals += [None] * (len(obj) - len(originals))
        return (
            type(obj),
            [describe(item, originals[n], seen, f"{path}[{n}]") for n, item in enumerate(obj)],
        )
    if isinstance(obj, dict):
        seen[id(obj)] = path
        originals = original if isinstance(original, dict) else {}
        return (
            dict,
            {
                key: describe(value, originals.get(key), seen, f"{path}[{key!r}]")
                for key, value in obj.items()
            },
        )
    if isinstance(obj, Promise):
        return ("lazy", str(obj))
    return ("value", type(obj), obj)


def assert_copied_as_django_does(make_fields: Callable[[], dict[str, forms.Field]]) -> None:
    # Each copy from fields of its own, made alike: copying may change the original (a
    # queryset property that builds on first reading).
    mine, djangos = make_fields(), make_fields()
    ours, django = fields_copy(mine), copy.deepcopy(dict(djangos))
    assert list(ours) == list(django) == list(mine)
    assert type(ours) is dict
    for name, field in mine.items():
        assert ours[name] is not field
        assert describe(ours[name], field, {}, name) == describe(
            django[name], djangos[name], {}, name
        )


@pytest.fixture
def conference_with_every_question():
    conference = ConferenceFactory()
    SessionFactory(conference=conference, kind="workshop")
    for kind in QuestionType.values:
        question = QuestionFactory(conference=conference, type=kind)
        if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            QuestionChoiceFactory.create_batch(3, question=question)
    return conference


def test_the_base_fields_are_copied_as_django_does():
    assert isinstance(RegistrationForm.base_fields, CheaplyCopiedFields)
    assert_copied_as_django_does(lambda: RegistrationForm.base_fields)


def test_a_forms_fields_with_every_kind_of_question_are_copied_as_django_does(
    conference_with_every_question,
):
    def form_fields():
        form = RegistrationForm({}, conference=conference_with_every_question, submit_label="Go")
        return form.fields

    assert len(form_fields()) > len(RegistrationForm.base_fields) + 8
    # The first forms build the questions' fields, the later ones copy those kept.
    assert_copied_as_django_does(form_fields)
    assert_copied_as_django_does(form_fields)


class _OwnCopy(forms.CharField):
    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.copied_by_its_own_method = True
        return result


class _Slotted(forms.Widget):
    __slots__ = ("extra",)


def test_fields_outside_the_known_kinds_are_left_to_copy_deepcopy():
    grouped = [("Group", [("a", "A"), ("b", _("B"))]), ("c", "C")]

    def make_fields():
        return {
            "own": _OwnCopy(),
            "grouped": forms.ChoiceField(choices=grouped),
            "split": forms.SplitDateTimeField(),
            "slotted": forms.CharField(widget=_Slotted()),
            "numbers": forms.TypedChoiceField(choices=[(1, 1.5), (2, 2.5)], coerce=int),
            "callable": forms.ChoiceField(choices=lambda: [("x", "X")]),
        }

    assert_copied_as_django_does(make_fields)
    fields = make_fields()
    copied = fields_copy(fields)
    assert copied["own"].copied_by_its_own_method is True
    assert copied["grouped"].choices[0][1] is not fields["grouped"].choices[0][1]


def test_the_copies_are_independent_of_the_class_fields():
    form = RegistrationForm({}, conference=ConferenceFactory(), submit_label="Go")
    base = RegistrationForm.base_fields
    form.fields["category"].widget.attrs["data-x"] = "1"
    form.fields["category"].choices = [("other", "Other")]
    form.fields["first_name"].validators.append(lambda value: None)
    form.fields["first_name"].error_messages["required"] = "changed"
    assert "data-x" not in base["category"].widget.attrs
    assert ("other", "Other") not in base["category"].choices
    assert ("other", "Other") not in base["category"].widget.choices
    assert len(base["first_name"].validators) == len(
        copy.deepcopy(RegistrationForm.base_fields["first_name"]).validators
    )
    assert base["first_name"].error_messages["required"] != "changed"
    # A shared queryset would carry one form's results into the next.
    assert form.fields["authority"].queryset is not base["authority"].queryset
    other = RegistrationForm({}, conference=ConferenceFactory(), submit_label="Go")
    assert form.fields["authority"].queryset is not other.fields["authority"].queryset
