"""Form fields copied for each form as Django's deep copy copies them, at a fraction of its cost.

Every form instance deep-copies its class's fields (BaseForm.__init__): for the registration
form's 36 fields that is about half of building it, most of it spent by copy.copy and
copy.deepcopy working out, for every field, widget and choice, how to copy it. What Django's
__deepcopy__ methods do (Field's, ChoiceField's, ModelChoiceField's, Widget's, ChoiceWidget's)
is done here directly, for fields and widgets whose classes copy as plain objects do (no
__slots__, no copy or pickle hooks of their own) and whose __deepcopy__ is one of those;
anything else is left to copy.deepcopy, with the same memo."""

import copy
import copyreg
from typing import Any

from django import forms
from django.forms.fields import Field
from django.forms.models import ModelChoiceField
from django.forms.widgets import ChoiceWidget, Widget
from django.utils.functional import Promise

# Django's __deepcopy__ methods that this module does the work of (the stubs declare none).
_FIELD_DEEPCOPY: Any = vars(Field)["__deepcopy__"]
_CHOICE_FIELD_DEEPCOPY: Any = vars(forms.ChoiceField)["__deepcopy__"]
_MODEL_CHOICE_FIELD_DEEPCOPY: Any = vars(ModelChoiceField)["__deepcopy__"]
_FIELD_COPIES = (_FIELD_DEEPCOPY, _CHOICE_FIELD_DEEPCOPY, _MODEL_CHOICE_FIELD_DEEPCOPY)
_WIDGET_DEEPCOPY: Any = vars(Widget)["__deepcopy__"]
_CHOICE_WIDGET_DEEPCOPY: Any = vars(ChoiceWidget)["__deepcopy__"]
_WIDGET_COPIES = (_WIDGET_DEEPCOPY, _CHOICE_WIDGET_DEEPCOPY)
_plain: dict[type, bool] = {}


def _copies_plainly(cls: type) -> bool:
    """Whether copy.copy() of an instance is a new instance with the same __dict__ (what
    object.__reduce_ex__ and copy._reconstruct give), and nothing else."""
    plain = _plain.get(cls)
    if plain is None:
        plain = (
            cls not in copyreg.dispatch_table
            and cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__
            and cls.__getstate__ is object.__getstate__
            and cls.__new__ is object.__new__
            and not hasattr(cls, "__copy__")
            and not hasattr(cls, "__setstate__")
            and not hasattr(cls, "__getnewargs__")
            and not hasattr(cls, "__getnewargs_ex__")
            and all("__slots__" not in vars(base) for base in cls.__mro__)
        )
        _plain[cls] = plain
    return plain


def _shallow(obj: Any) -> Any:
    # copy.copy() of such an object: a new instance whose __dict__ is a copy of the original's.
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def _atomic(value: Any) -> bool:
    # What copy.deepcopy gives back as it is: str, int, None, bool; lazy strings (Django's
    # Promise copies as itself).
    return type(value) in (str, int, bool) or value is None or isinstance(value, Promise)


def _flat_pairs(choices: Any) -> bool:
    # Choices as normalize_choices leaves them: a list of (value, label) of atomic values.
    return type(choices) is list and all(
        type(pair) is tuple and len(pair) == 2 and _atomic(pair[0]) and _atomic(pair[1])
        for pair in choices
    )


def _choices_copy(choices: Any, memo: dict) -> Any:
    """copy.deepcopy(choices, memo): for a flat list of pairs of atomic values, a new list of
    the same tuples (a tuple whose items all copy as themselves is itself); otherwise Django's."""
    if id(choices) not in memo and _flat_pairs(choices):
        copied = list(choices)
        memo[id(choices)] = copied
        return copied
    return copy.deepcopy(choices, memo)


def _widget_copy(widget: Any, memo: dict) -> Widget:
    """copy.deepcopy(widget, memo)."""
    found = memo.get(id(widget))
    if found is not None:
        return found
    method = getattr(type(widget), "__deepcopy__", None)
    if method not in _WIDGET_COPIES or not _copies_plainly(type(widget)):
        return copy.deepcopy(widget, memo)
    # Widget.__deepcopy__, and ChoiceWidget's.
    new = _shallow(widget)
    new.attrs = widget.attrs.copy()
    if method is _CHOICE_WIDGET_DEEPCOPY:
        choices = widget.choices
        if vars(ChoiceWidget)["choices"] is type(widget).choices and _flat_pairs(choices):
            # What the choices setter's normalize_choices makes of a copy of such a list: a
            # new list of new pairs of the same values.
            new._choices = [(value, label) for value, label in choices]
        else:
            new.choices = copy.copy(choices)
    memo[id(widget)] = new
    return new


def field_copy(field: Field, memo: dict) -> Field:
    """copy.deepcopy(field, memo)."""
    found = memo.get(id(field))
    if found is not None:
        return found
    method = getattr(type(field), "__deepcopy__", None)
    if method not in _FIELD_COPIES or not _copies_plainly(type(field)):
        return copy.deepcopy(field, memo)
    # Field.__deepcopy__ ...
    new = _shallow(field)
    memo[id(field)] = new
    new.widget = _widget_copy(field.widget, memo)
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    if method is _CHOICE_FIELD_DEEPCOPY:
        # ... and ChoiceField's ...
        new._choices = _choices_copy(field._choices, memo)  # type: ignore[attr-defined]
    elif method is _MODEL_CHOICE_FIELD_DEEPCOPY:
        # ... or ModelChoiceField's (which skips ChoiceField's).
        queryset = field.queryset  # type: ignore[attr-defined]
        if queryset is not None:
            new.queryset = queryset.all()
    return new


def fields_copy(fields: dict[str, Field], memo: dict | None = None) -> dict[str, Field]:
    """copy.deepcopy(fields): a new dict of the fields copied, with one memo for all."""
    memo = {} if memo is None else memo
    return {name: field_copy(field, memo) for name, field in fields.items()}


class CheaplyCopiedFields(dict):
    """A form class's base_fields, which BaseForm.__init__ deep-copies for each form: copied
    by fields_copy (a plain dict, as copy.deepcopy of a dict gives)."""

    def __deepcopy__(self, memo: dict) -> dict[str, Field]:
        copied = fields_copy(self, memo)
        memo[id(self)] = copied
        return copied
