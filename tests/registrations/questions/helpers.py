"""What the tests of questions share: field names and small files of each kind."""

import datetime as dt
import decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from registrations.models import QuestionType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def field(question) -> str:
    return f"question_{question.pk}"


def pdf_upload(name: str = "mandate.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def answers_data(questions, prefix: str = "") -> dict:
    """A POST's answers to the question of each type (conftest's `questions`), the file's
    field included; `prefix` for a formset's form ("members-0-")."""
    single = questions[QuestionType.SINGLE_CHOICE].choices.all()
    multiple = questions[QuestionType.MULTIPLE_CHOICE].choices.all()
    values = {
        QuestionType.TEXT: "  Deputy mayor's office ",
        QuestionType.LONG_TEXT: "Line one\nLine two",
        QuestionType.SINGLE_CHOICE: str(single[1].pk),
        QuestionType.MULTIPLE_CHOICE: [str(c.pk) for c in multiple],
        QuestionType.YES_NO: "no",
        QuestionType.NUMBER: "2.5",
        QuestionType.DATE: "2026-06-09",
        QuestionType.DATETIME: "2026-06-09T14:35",
        QuestionType.COUNTRY: "NL",
        QuestionType.FILE: pdf_upload(),
    }
    return {prefix + field(questions[kind]): value for kind, value in values.items()}


def assert_answers_given(registration, conference) -> None:
    """The registration holds the answers of answers_data, each in its column."""
    answers = {answer.question.type: answer for answer in registration.answers.all()}
    assert set(answers) == set(QuestionType.values)
    assert answers[QuestionType.TEXT].value_text == "Deputy mayor's office"
    assert answers[QuestionType.LONG_TEXT].value_text == "Line one\nLine two"
    assert answers[QuestionType.SINGLE_CHOICE].choice_labels == ["Hotel Aston"]
    assert answers[QuestionType.MULTIPLE_CHOICE].choice_labels == ["Tram tour", "Harbour walk"]
    assert answers[QuestionType.YES_NO].value_bool is False
    assert answers[QuestionType.NUMBER].value_number == decimal.Decimal("2.5")
    assert answers[QuestionType.DATE].value_date == dt.date(2026, 6, 9)
    # Typed in the conference's time zone (Europe/Paris: UTC+2 in June).
    assert answers[QuestionType.DATETIME].value_datetime == dt.datetime(
        2026, 6, 9, 12, 35, tzinfo=dt.UTC
    )
    assert answers[QuestionType.COUNTRY].value_country.code == "NL"
    file_answer = answers[QuestionType.FILE]
    assert file_answer.file_name == "mandate.pdf"
    assert file_answer.file_content_type == "application/pdf"
    assert file_answer.file.name.startswith(f"answers/{conference.pk}/")
    assert "mandate" not in file_answer.file.name
    with file_answer.file.open("rb") as stored:
        assert stored.read() == PDF
    assert answers[QuestionType.TEXT].question_label == f"Q {QuestionType.TEXT}"
