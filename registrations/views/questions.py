"""The delegate's answers to the conference's questions, on their own page, and the files they
sent (served to them alone: the files are never served as media)."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from registrations.errors import RegistrationError
from registrations.forms.questions import AnswersEditForm
from registrations.models import Answer
from registrations.places.answers import registration_answers_set
from registrations.questions.answers import AnswerError
from registrations.questions.selectors import answers_for
from registrations.views.self_service import DelegateAccessMixin


def answer_file_response(answer: Answer) -> FileResponse:
    """The file as the delegate sent it: its own name, the type its content showed, never
    displayed inline (a PDF could carry scripts)."""
    if not answer.file:
        raise Http404
    response = FileResponse(
        answer.file.open("rb"),
        as_attachment=True,
        filename=answer.file_name or "file",
        content_type=answer.file_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class AnswersEditView(DelegateAccessMixin, TemplateView):
    template_name = "registrations/manage/answers.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["answers"] = answers_for(self.registration)
        return context

    def _form(self, *args) -> AnswersEditForm:
        return AnswersEditForm(*args, registration=self.registration)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST, request.FILES)
        if form.is_valid():
            assert form.answers_input is not None  # built by clean()
            try:
                changed = registration_answers_set(
                    registration=self.registration,
                    answers=form.answers_input,
                    special_needs_consent=bool(form.cleaned_data.get("special_needs_consent")),
                )
            except RegistrationError as error:
                if not (
                    isinstance(error, AnswerError)
                    and form.answer_error_add(error.question_id, error.message)
                ):
                    form.add_error(None, error.message)
            else:
                if changed:
                    messages.success(request, _("Your answers are saved."))
                else:
                    messages.info(request, _("Nothing has changed."))
                return redirect("registrations:manage")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AnswerFileView(DelegateAccessMixin, View):
    """A file the delegate sent, to the delegate."""

    def get(self, request, *args, pk: int, **kwargs):
        return answer_file_response(
            get_object_or_404(Answer, pk=pk, registration=self.registration)
        )
