"""A registration's answers on its admin page, read-only: the question as it was asked, the
answer as text (from the copies kept with it, so an answer to a question or choice changed
since still reads as given), a file by its name. Special-category answers (diet, health,
access) only for staff who may see special needs. A file downloads through a view that checks
the same permissions (views.answer_files)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registrations.models import Answer
from registrations.permissions import VIEW_SPECIAL_NEEDS


class AnswerInline(admin.TabularInline):
    model = Answer
    verbose_name = _("answer")
    verbose_name_plural = _("answers to the conference's questions")
    fields = readonly_fields = ["question_label", "answer", "updated_at"]
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        answers = super().get_queryset(request)
        if not request.user.has_perm(VIEW_SPECIAL_NEEDS):
            answers = answers.filter(question__special_category=False)
        return answers.order_by("question__position", "question_id")

    @admin.display(description=_("answer"))
    def answer(self, obj: Answer) -> str:
        if obj.file:
            # Through the view that checks the permissions: the files are never media.
            url = reverse("admin:registrations_answer_file", args=[obj.pk])
            return format_html('<a href="{}" download>{}</a>', url, obj.file_name or obj.file.name)
        return obj.display_value

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
