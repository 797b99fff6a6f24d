"""The three visa emails (request received, letter sent, request refused) read in French: every
sentence of their templates has its French in the catalogue, and a French delegate gets that
French and none of the English."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from registrations.models import OutboundEmail
from registrations.outbox.send import outbound_email_send
from registrations.travel.visa import visa_letter_approve, visa_letter_refuse
from tests.factories import OutboundEmailFactory, RegistrationFactory, VisaLetterRequestFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
EMAILS = ROOT / "templates" / "emails" / "registrations"
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
VISA_KINDS = ["visa_received", "visa_approved", "visa_refused"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def template_msgids(path: Path) -> list[str]:
    """The msgids a template asks for, as makemessages writes them."""
    text = path.read_text(encoding="utf-8")
    ids = re.findall(r'{% translate "((?:[^"\\]|\\.)*)" %}', text)
    for match in re.finditer(r"{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}", text, re.S):
        ids.append(re.sub(r"{{ (\w+) }}", r"%(\1)s", match.group(1)))
    return ids


def po_translations(path: Path) -> dict[str, str]:
    """msgid → msgstr of a PO file (no contexts or plurals: these emails use neither)."""
    text = path.read_text(encoding="utf-8")
    strings = r'((?:".*"\n?)+)'
    entries = re.findall(rf"^msgid {strings}msgstr {strings}", text, re.M)

    def joined(lines: str) -> str:
        return "".join(re.findall(r'"(.*)"', lines)).replace('\\"', '"').replace("\\n", "\n")

    return {joined(msgid): joined(msgstr) for msgid, msgstr in entries if joined(msgid)}


def templates_of(kind: str) -> dict[str, Path]:
    return {part: EMAILS / f"{kind}.{part}" for part in ("subject.txt", "txt", "html")}


def french() -> dict[str, str]:
    return po_translations(CATALOGUE)


@pytest.mark.parametrize("kind", VISA_KINDS)
def test_every_sentence_of_the_visa_emails_has_its_french(kind):
    translations = french()
    for path in templates_of(kind).values():
        msgids = template_msgids(path)
        assert msgids, path
        untranslated = [msgid for msgid in msgids if not translations.get(msgid)]
        assert untranslated == [], path


def _fragments(sentence: str) -> list[str]:
    """The parts of a sentence between its placeholders that are long enough to be telling."""
    return [part.strip() for part in PLACEHOLDER.split(sentence) if len(part.strip()) > 3]


def _sent_in_french(kind: str, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(preferred_language="fr", first_name="Élodie")
    conference = registration.conference
    conference.letter_signatory_name = "Jean-Pierre Martin"
    conference.save()
    request = VisaLetterRequestFactory(registration=registration, letter_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        if kind == "visa_received":
            email = OutboundEmailFactory(
                registration=registration,
                kind=OutboundEmail.Kind.VISA_RECEIVED,
                visa_request=request,
            )
            outbound_email_send(email_id=email.pk)
        elif kind == "visa_approved":
            visa_letter_approve(request=request, by=None, note="Bienvenue à Nice.")
        else:
            visa_letter_refuse(request=request, by=None, note="Dates hors du séjour prévu.")
    [message] = [m for m in mail.outbox if m.to == [registration.email]]
    [(body_html, _mimetype)] = message.alternatives
    return {"subject.txt": message.subject, "txt": message.body, "html": html.unescape(body_html)}


@pytest.mark.parametrize("kind", VISA_KINDS)
def test_a_french_delegate_gets_the_visa_emails_in_french(kind, django_capture_on_commit_callbacks):
    translations = french()
    rendered = _sent_in_french(kind, django_capture_on_commit_callbacks)
    for part, path in templates_of(kind).items():
        for msgid in template_msgids(path):
            for english in _fragments(msgid):
                if english not in _fragments(translations[msgid]):
                    assert english not in rendered[part], (kind, part, english)
            for french_part in _fragments(translations[msgid]):
                assert french_part in rendered[part], (kind, part, french_part)
