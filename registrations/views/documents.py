"""The delegate's badge and certificate of attendance, as PDFs, through their personal link."""

from django.http import Http404, HttpResponse
from django.views import View

from registrations.documents.badges import badges_pdf
from registrations.documents.certificates import certificate_filename, certificate_pdf
from registrations.models import Registration
from registrations.onsite.certificates import registration_attended
from registrations.views.self_service import DelegateAccessMixin


def pdf_attachment(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no shared cache keeps it, and the browser does not store it either.
    response["Cache-Control"] = "private, no-store"
    return response


class BadgeDownloadView(DelegateAccessMixin, View):
    """A badge to print at home, for a confirmed place only: the QR code is what the desk scans."""

    def get(self, request, *args, **kwargs):
        if self.registration.status != Registration.Status.CONFIRMED:
            raise Http404("no badge before the registration is confirmed")
        pdf = badges_pdf([self.registration], layout="single")
        return pdf_attachment(pdf, f"badge-{self.registration.reference}.pdf")


class CertificateDownloadView(DelegateAccessMixin, View):
    """The certificate of attendance, once the delegate has been checked in at the desk."""

    def get(self, request, *args, **kwargs):
        if not registration_attended(self.registration):
            raise Http404("no certificate before the delegate is checked in")
        pdf = certificate_pdf(self.registration)
        return pdf_attachment(pdf, certificate_filename(self.registration))
