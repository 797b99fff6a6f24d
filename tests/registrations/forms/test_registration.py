import pytest

from registrations.forms.fields import validate_person_name
from registrations.forms.registration import RegistrationForm
from tests.factories import AuthorityFactory, ConferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def valid_data():
    return {
        "authority": AuthorityFactory(name="Gdańsk", country="PL").pk,
        "first_name": "Łukasz",
        "last_name": "Wiśniewski",
        "email": "  Lukasz.W@Gdansk.EU ",
        "job_title": "Head of municipal police",
        "organisation": "",
        "phone": "",
        "category": "delegate",
        "preferred_language": "en",
        "interpretation_language": "",
        "dietary_needs": "",
        "accessibility_needs": "",
        "privacy_consent": "on",
        "website": "",
    }


def make_form(data, conference=None) -> RegistrationForm:
    return RegistrationForm(
        data, conference=conference or ConferenceFactory(), submit_label="Register"
    )


def test_form_accepts_valid_data_and_normalises_email(valid_data):
    form = make_form(valid_data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "lukasz.w@gdansk.eu"
    assert form.is_spam is False
    assert form.new_authority() is None


@pytest.mark.parametrize(
    "name", ["Σοφία", "Łukasz", "Jean-Noël", "O’Neill", "D'Alessandro", "Владимир", "J. R."]
)
def test_names_in_any_script_are_accepted(name):
    validate_person_name(name)


@pytest.mark.parametrize("name", ["R2D2", "<script>", "Anna!", "=SUM(A1)"])
def test_names_with_digits_or_symbols_are_refused(valid_data, name):
    valid_data["first_name"] = name
    form = make_form(valid_data)
    assert not form.is_valid()
    assert "Use letters only" in form.errors["first_name"][0]


def test_names_have_their_spaces_collapsed(valid_data):
    valid_data["last_name"] = "  van   der  Berg "
    form = make_form(valid_data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["last_name"] == "van der Berg"


def test_invalid_email_is_refused_next_to_the_field(valid_data):
    valid_data["email"] = "not-an-address"
    form = make_form(valid_data)
    assert not form.is_valid()
    assert list(form.errors) == ["email"]


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "job_title"])
def test_required_fields(valid_data, field):
    valid_data[field] = ""
    form = make_form(valid_data)
    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_privacy_consent_is_required(valid_data):
    del valid_data["privacy_consent"]
    form = make_form(valid_data)
    assert not form.is_valid()
    assert form.errors["privacy_consent"] == ["You need to accept the privacy notice to register."]


def test_authority_or_new_authority_is_required(valid_data):
    valid_data["authority"] = ""
    form = make_form(valid_data)
    assert not form.is_valid()
    assert list(form.errors) == ["authority"]


def test_new_authority_needs_a_country(valid_data):
    valid_data.update(authority="", new_authority_name="Sopot")
    form = make_form(valid_data)
    assert not form.is_valid()
    assert list(form.errors) == ["new_authority_country"]


def test_new_authority_with_country_is_accepted(valid_data):
    valid_data.update(
        authority="",
        new_authority_name=" Sopot ",
        new_authority_country="PL",
        new_authority_kind="municipality",
    )
    form = make_form(valid_data)
    assert form.is_valid(), form.errors
    new = form.new_authority()
    assert (new.name, new.country, new.kind) == ("Sopot", "PL", "municipality")


def test_choosing_and_naming_an_authority_at_once_is_refused(valid_data):
    valid_data.update(new_authority_name="Sopot", new_authority_country="PL")
    form = make_form(valid_data)
    assert not form.is_valid()
    assert list(form.errors) == ["new_authority_name"]


def test_authorities_awaiting_review_are_not_offered(valid_data):
    unreviewed = AuthorityFactory(name="Fake City", needs_review=True)
    form = make_form(valid_data)
    assert unreviewed not in form.fields["authority"].queryset


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+33 4 93 92 83 00", "+33493928300"),
        ("+48 58 323 60 00", "+48583236000"),
        ("58 323 60 00", "+48583236000"),  # national format, read in the authority's country
    ],
)
def test_phone_is_stored_in_e164(valid_data, raw, expected):
    valid_data["phone"] = raw
    form = make_form(valid_data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == expected


@pytest.mark.parametrize("raw", ["12", "+33 1", "call me"])
def test_invalid_phone_is_refused(valid_data, raw):
    valid_data["phone"] = raw
    form = make_form(valid_data)
    assert not form.is_valid()
    assert list(form.errors) == ["phone"]


@pytest.mark.parametrize("field", ["dietary_needs", "accessibility_needs"])
def test_needs_require_their_own_consent(valid_data, field):
    valid_data[field] = "Vegan"
    form = make_form(valid_data)
    assert not form.is_valid()
    assert list(form.errors) == ["special_needs_consent"]


def test_needs_with_consent_are_accepted(valid_data):
    valid_data.update(dietary_needs="Vegan", special_needs_consent="on")
    form = make_form(valid_data)
    assert form.is_valid(), form.errors


def test_honeypot_marks_submission_as_spam(valid_data):
    valid_data["website"] = "http://spam.example"
    form = make_form(valid_data)
    assert form.is_valid()
    assert form.is_spam is True


def test_organiser_staff_category_is_not_offered_publicly(valid_data):
    valid_data["category"] = "staff"
    form = make_form(valid_data)
    assert not form.is_valid()
    assert list(form.errors) == ["category"]


def _question_fields(form: RegistrationForm) -> list[tuple]:
    """What the questions' fields say and check, in the form's order."""
    return [
        (
            name,
            type(field),
            str(field.label),
            str(field.help_text),
            field.required,
            [(value, str(label)) for value, label in getattr(field, "choices", [])],
            type(field.widget),
            field.widget.attrs,
        )
        for name, field in form.fields.items()
        if name.startswith("question_")
    ]


@pytest.fixture
def asking_conference():
    """Questions of several types, none of whose choices counts its seats."""
    from registrations.models import QuestionType
    from tests.factories.questions import QuestionChoiceFactory, QuestionFactory

    conference = ConferenceFactory()
    QuestionFactory(conference=conference, type=QuestionType.TEXT, required=True)
    QuestionFactory(conference=conference, type=QuestionType.YES_NO, categories=["speaker"])
    QuestionFactory(conference=conference, type=QuestionType.COUNTRY)
    QuestionFactory(conference=conference, type=QuestionType.DATETIME)
    choice = QuestionChoiceFactory(question__conference=conference, label_en="Boat trip")
    QuestionChoiceFactory(question=choice.question, label_en="Bus tour")
    assert not any(
        c.capacity is not None for q in conference.questions.all() for c in q.choices.all()
    )
    return conference


def test_question_fields_copied_from_those_kept_are_those_built(
    asking_conference, valid_data, monkeypatch
):
    """The second form of a conference copies the questions' fields built for the first
    (in its language), and checks the answers as they do; each form has its own copies."""
    from django.utils import translation

    from registrations.forms import questions

    first = make_form(dict(valid_data), asking_conference)
    built = []
    real = questions.question_form_field
    monkeypatch.setattr(
        questions, "question_form_field", lambda *a, **k: built.append(1) or real(*a, **k)
    )
    second = make_form(dict(valid_data), asking_conference)

    assert built == []  # copied, not built again
    assert _question_fields(second) == _question_fields(first)
    assert list(second.fields) == list(first.fields)
    assert not second.is_valid() and not first.is_valid()
    assert second.errors == first.errors  # the required text question, unanswered
    second.fields[next(name for name in second.fields if name.startswith("question_"))].label = "x"
    assert _question_fields(make_form(dict(valid_data), asking_conference)) == _question_fields(
        first
    )

    # Another language: built once in it, its help in it.
    with translation.override("fr"):
        french = make_form(dict(valid_data), asking_conference)
        assert built  # built for French
        built.clear()
        again = make_form(dict(valid_data), asking_conference)
        assert built == []
        assert _question_fields(again) == _question_fields(french)
    assert [line[3] for line in _question_fields(french)] != [
        line[3] for line in _question_fields(first)
    ]
