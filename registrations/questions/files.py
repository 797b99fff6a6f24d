"""What a file answer may be: a PDF, JPEG or PNG, known by its first bytes (the name and the
type the browser sends are the sender's to choose), and no larger than the limit."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

ANSWER_FILE_MAX_BYTES = 5 * 2**20

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
