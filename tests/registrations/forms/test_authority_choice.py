"""The authority a registration form names (AuthorityChoiceField with its compiled lookup):
the same authority, or the same error, as the queryset's own get()."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models.sql.compiler import SQLCompiler

from registrations.authorities.selectors import authorities_for_choice
from registrations.forms.fields import AuthorityChoiceField
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


def field(*, compiled: bool) -> AuthorityChoiceField:
    chosen = AuthorityChoiceField(queryset=authorities_for_choice(), required=False)
    chosen.choice_lookup_compiled = compiled
    return chosen


def outcome(chosen: AuthorityChoiceField, value):
    try:
        found = chosen.clean(value)
    except ValidationError as error:
        return ("error", error.code, error.params, [str(m) for m in error.messages])
    return ("found", found.pk if found else None)


def test_the_same_answer_as_the_querysets_get():
    offered = AuthorityFactory(name="Rotterdam", country="NL", needs_review=False)
    named = AuthorityFactory(name="Newtown", country="NL", needs_review=True)
    values = [
        "",
        str(offered.pk),
        f" {offered.pk} ",
        f"{offered.pk}\n",
        "1_0",
        "1.5",
        "0x10",
        "abc",
        "-1",
        "99999999999999999999",
        "9223372036854775808",
        "nul\x00",
        str(named.pk),  # waiting for review: not offered
    ]

    for value in values:
        assert outcome(field(compiled=True), value) == outcome(field(compiled=False), value), value
    assert outcome(field(compiled=True), str(offered.pk)) == ("found", offered.pk)


def test_read_without_compiling(monkeypatch):
    offered = AuthorityFactory(needs_review=False)
    field(compiled=True).clean(str(offered.pk))  # compiled once in this process
    compiled = []
    real = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or real(self, *a, **k)
    )

    assert field(compiled=True).clean(str(offered.pk)) == offered
    assert compiled == []
