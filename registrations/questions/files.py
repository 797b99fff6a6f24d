"""What a file answer may be: a PDF, JPEG or PNG, known by its first bytes (the name and the
type the browser sends are the sender's to choose), and no larger than the limit."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models import Answer

ANSWER_FILE_MAX_BYTES = 5 * 2**20
# Where answer files are written (models.questions.answer_file_path), and how old a file no
# answer holds must be before the sweep deletes it.
ANSWER_FILES_DIR = "answers"
ORPHAN_FILE_AGE = timedelta(days=1)

# The signature each accepted type starts with, and the type it is served as.
FILE_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def answer_file_type(upload: UploadedFile) -> str:
    """The file's content type, read from its first bytes; ValidationError when it is none of
    those accepted or too large."""
    if upload.size is not None and upload.size > ANSWER_FILE_MAX_BYTES:
        raise ValidationError(
            _("This file is too large: send one of %(size)d MB at most."),
            code="file_too_large",
            params={"size": ANSWER_FILE_MAX_BYTES // 2**20},
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in FILE_SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise ValidationError(_("Send a PDF, JPEG or PNG file."), code="file_type")


def answer_files_orphaned_delete(*, now: datetime | None = None) -> int:
    """Delete the files under answers/ that no answer holds and that are more than a day old
    (younger ones may belong to a transaction still open): those a rolled-back transaction left
    behind (answer_files_guard catches most at once). Daily, from beat. Returns how many."""
    now = now or timezone.now()
    storage = Answer._meta.get_field("file").storage
    held = set(Answer.objects.exclude(file="").values_list("file", flat=True))
    deleted = 0
    for name in _files_under(storage, ANSWER_FILES_DIR):
        if name in held or storage.get_modified_time(name) > now - ORPHAN_FILE_AGE:
            continue
        storage.delete(name)
        deleted += 1
    return deleted


def _files_under(storage: Storage, directory: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}"
    for sub in directories:
        yield from _files_under(storage, f"{directory}/{sub}")
