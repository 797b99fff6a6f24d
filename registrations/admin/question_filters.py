"""The registration list's filter by answer: one choice of a choice question, or yes or no, of
the conference the list is filtered to. Answers about diet, health or access
(special-category questions) only for staff who may see special needs: without the permission
they are neither offered nor applied. Filters through a subquery, as the other filters."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conference.models import Conference
from registrations.models import Answer, Question, QuestionType
from registrations.permissions import VIEW_SPECIAL_NEEDS
from registrations.questions.figures import COUNTED_TYPES

CONFERENCE_PARAMETER = "conference__id__exact"


def _filtered_conference(request) -> Conference | None:
    conference_id = request.GET.get(CONFERENCE_PARAMETER, "")
    return Conference.objects.filter(pk=conference_id).first() if conference_id.isdigit() else None


def _conference_of(value: str | None) -> Conference | None:
    if not value or not value[1:].isdigit():
        return None
    if value[0] == "c":
        return Conference.objects.filter(questions__choices=int(value[1:])).first()
    return Conference.objects.filter(questions=int(value[1:])).first()


def _questions(request, conference: Conference):
    questions = Question.objects.filter(
        conference=conference, active=True, type__in=COUNTED_TYPES
    ).prefetch_related("choices")
    if not request.user.has_perm(VIEW_SPECIAL_NEEDS):
        questions = questions.filter(special_category=False)
    return questions.order_by("position", "id")


class AnswerFilter(admin.SimpleListFilter):
    """Values: `c<choice id>` for a choice, `y<question id>` / `n<question id>` for yes or
    no. Shown once the list is filtered to a conference (its questions are its own)."""

    title = _("answer")
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        # The filtered conference, or that of the answer chosen: so that a link with the
        # answer alone still shows (and applies) the filter.
        conference = _filtered_conference(request) or _conference_of(self.value())
        if conference is None:
            return []
        lookups = []
        for question in _questions(request, conference):
            if question.type == QuestionType.YES_NO:
                lookups += [
                    (f"y{question.pk}", f"{question.label}: {gettext('Yes')}"),
                    (f"n{question.pk}", f"{question.label}: {gettext('No')}"),
                ]
            else:
                lookups += [
                    (f"c{choice.pk}", f"{question.label}: {choice.label}")
                    for choice in question.choices.all()
                ]
        return lookups

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        kind, number = value[:1], value[1:]
        if kind not in ("c", "y", "n") or not number.isdigit():
            return queryset.none()
        answers = Answer.objects.all()
        if not request.user.has_perm(VIEW_SPECIAL_NEEDS):
            answers = answers.filter(question__special_category=False)
        if kind == "c":
            answers = answers.filter(choices=int(number))
        else:
            answers = answers.filter(
                question_id=int(number),
                question__type=QuestionType.YES_NO,
                value_bool=(kind == "y"),
            )
        return queryset.filter(pk__in=answers.values("registration_id"))
