"""A delegate's file answer downloaded by staff from the registration's admin page: the file is
never served as media, so it comes through here, with the permission checked (and the
special-needs one for a special-category question's file)."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.views import View

from registrations.models import Answer
from registrations.permissions import VIEW_REGISTRATION, VIEW_SPECIAL_NEEDS
from registrations.views.questions import answer_file_response

VIEW_ANSWER = "registrations.view_answer"


class AnswerFileAdminView(PermissionRequiredMixin, View):
    permission_required = (VIEW_REGISTRATION, VIEW_ANSWER)
    raise_exception = True

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        answer = get_object_or_404(Answer.objects.select_related("question"), pk=pk)
        if answer.question.special_category and not request.user.has_perm(VIEW_SPECIAL_NEEDS):
            raise PermissionDenied
        return answer_file_response(answer)
