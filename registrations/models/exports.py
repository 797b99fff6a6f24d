"""Export jobs and the record of every export."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from conference.models import Conference


class ExportKind(models.TextChoices):
    ATTENDEES = "attendees", _("Attendee list")
    SESSION_ATTENDEES = "session_attendees", _("Attendees of a session")
    DELEGATIONS = "delegations", _("Delegations by country and authority")
    LOGISTICS = "logistics", _("Logistics figures")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (comma, UTF-8)")
    # What a French or German Excel opens by a double click into columns.
    CSV_EXCEL = "csv_excel", _("CSV for Excel (semicolon)")
    XLSX = "xlsx", "XLSX"


# The changelist's free-text search may hold a delegate's name: it is never stored.
EXPORT_FILTER_HELP = _(
    "The list's filters as in its address, without the search text, which may hold a name."
)


class ExportJob(models.Model):
    """An XLSX file too large to build during a request, built by a Celery task. Only its owner
    may download it; the file is deleted some days later
    (organiser.exports.build.EXPORT_FILE_RETENTION)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    filter = models.TextField(_("filter"), blank=True, help_text=EXPORT_FILTER_HELP)
    searched = models.BooleanField(_("searched"), default=False)
    special_needs = models.BooleanField(_("with dietary and accessibility needs"), default=False)
    # The requester's language at the time, for the file's headers and labels.
    language = models.CharField(_("language"), max_length=10, default="en", editable=False)
    # The rows, in export order, as the list showed them when the job was requested: the task
    # cannot repeat the search, which is not stored. Kept once the file is built: it says whose
    # data the file holds (emptied if the build fails: there is no file).
    registration_ids = models.JSONField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format}, {self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ExportRecord(models.Model):
    """That an export of delegates' data was made: by whom, when, of what. It holds no
    personal data of delegates, hence no search text."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("Admin")
        COMMAND = "command", _("Command")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exported by"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    conferences = models.ManyToManyField(
        Conference, related_name="+", blank=True, verbose_name=_("conferences")
    )
    filter = models.TextField(_("filter"), blank=True, help_text=EXPORT_FILTER_HELP)
    searched = models.BooleanField(
        _("searched"), default=False, help_text=_("The list was also narrowed by a search.")
    )
    special_needs = models.BooleanField(_("with dietary and accessibility needs"), default=False)
    rows = models.PositiveIntegerField(_("rows"))
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format}, {self.created_at:%Y-%m-%d %H:%M})"
