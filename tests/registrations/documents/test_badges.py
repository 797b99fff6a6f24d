import re
import zlib

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from registrations.admin.documents import print_badges_by_authority, print_badges_by_name
from registrations.admin.registrations import RegistrationAdmin
from registrations.documents import badges
from registrations.documents.badges import (
    CATEGORY_COLOURS,
    CONTENT_WIDTH,
    badge_qr_payload,
    badges_pdf,
    fit_name,
    qr_modules,
)
from registrations.documents.pdf import FONT_BOLD, fonts_register
from registrations.documents.tokens import badge_token, registration_from_badge_token
from registrations.models import Registration
from tests.factories import AuthorityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

A6_MEDIA_BOX = b"/MediaBox [ 0 0 297.6378 419.5276 ]"
A4_MEDIA_BOX = b"/MediaBox [ 0 0 595.2756 841.8898 ]"


def pages(pdf: bytes) -> list[bytes]:
    """The page size of each page (ReportLab writes neither object streams nor inherited
    media boxes)."""
    return re.findall(rb"/MediaBox \[[^\]]*\]", pdf)


def mapped_characters(pdf: bytes) -> set[str]:
    """The characters the embedded fonts' ToUnicode maps turn glyphs back into: what text
    extraction (search, copy, screen readers) gets from the PDF."""
    characters = set()
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            data = zlib.decompressobj().decompress(stream)
        except zlib.error:
            continue
        if b"begincmap" in data:
            codes = re.findall(rb"<[0-9A-F]{2}> <([0-9A-F]{4})>", data)
            characters |= {chr(int(code, 16)) for code in codes}
    return characters


def contrast_ratio(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [
            value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
            for value in HexColor(colour).rgb()
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.fixture
def loaded():
    """Registrations as the admin action loads them: conference, venue and authority joined."""

    def load(registrations):
        by_pk = Registration.objects.select_related("conference__venue", "authority").in_bulk(
            [registration.pk for registration in registrations]
        )
        return [by_pk[registration.pk] for registration in registrations]

    return load


def test_badges_pdf_is_a_pdf():
    pdf = badges_pdf([RegistrationFactory()])

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize(("count", "sheets"), [(1, 1), (4, 1), (5, 2)])
def test_badges_pdf_sheet_puts_four_badges_on_each_a4_page(conference, count, sheets):
    registrations = RegistrationFactory.create_batch(count, conference=conference)

    pdf = badges_pdf(registrations, layout="sheet")

    assert pages(pdf) == [A4_MEDIA_BOX] * sheets


@pytest.mark.parametrize("count", [1, 5])
def test_badges_pdf_single_puts_one_badge_on_each_a6_page(conference, count):
    registrations = RegistrationFactory.create_batch(count, conference=conference)

    pdf = badges_pdf(registrations, layout="single")

    assert pages(pdf) == [A6_MEDIA_BOX] * count


def test_badges_pdf_without_registrations_is_refused():
    with pytest.raises(ValueError, match="no badges to print"):
        badges_pdf([])


def test_badges_pdf_with_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="unknown badge layout 'poster'"):
        badges_pdf([RegistrationFactory()], layout="poster")


def test_badges_pdf_embeds_dejavu_and_maps_greek_and_cyrillic_names(conference):
    greek = RegistrationFactory(
        conference=conference,
        first_name="Γιώργος",
        last_name="Παπαδόπουλος",
        authority=AuthorityFactory(name="Δήμος Θεσσαλονίκης", country="GR"),
    )
    cyrillic = RegistrationFactory(
        conference=conference,
        first_name="Олена",
        last_name="Шевченко",
        authority=AuthorityFactory(name="Київ", country="UA"),
    )

    pdf = badges_pdf([greek, cyrillic])

    assert b"/FontFile2" in pdf
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans-Bold\b", pdf)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans\b", pdf)
    text = set("Γιώργος Παπαδόπουλος Δήμος Θεσσαλονίκης Олена Шевченко Київ") - {" "}
    assert text <= mapped_characters(pdf)


def test_badges_pdf_of_latin_names_has_no_greek_glyphs(conference):
    pdf = badges_pdf([RegistrationFactory(conference=conference, last_name="Nowak")])

    assert "Γ" not in mapped_characters(pdf)
    assert set("Nowak") <= mapped_characters(pdf)


def test_badge_qr_payload_is_the_badge_token():
    registration = RegistrationFactory()

    payload = badge_qr_payload(registration)

    assert payload == badge_token(registration)
    assert registration_from_badge_token(payload) == registration


def test_badges_pdf_draws_each_qr_code_from_its_token_in_the_given_order(conference, monkeypatch):
    second, first = RegistrationFactory.create_batch(2, conference=conference)
    drawn = []
    encode = qr_modules

    def recording(payload):
        drawn.append(payload)
        return encode(payload)

    monkeypatch.setattr(badges, "qr_modules", recording)

    badges_pdf([first, second])

    assert [registration_from_badge_token(payload) for payload in drawn] == [first, second]


def test_qr_modules_is_a_square_with_finder_patterns():
    modules = qr_modules(badge_token(RegistrationFactory()))

    size = len(modules)
    assert all(len(row) == size for row in modules)
    assert (size - 17) % 4 == 0  # 21, 25, 29… modules: versions 1, 2, 3…
    finder = [row[:7] for row in modules[:7]]
    assert finder[0] == [True] * 7
    assert finder[1] == [True, False, False, False, False, False, True]
    assert finder[3] == [True, False, True, True, True, False, True]


def test_badges_pdf_runs_no_query_on_loaded_registrations(
    conference, loaded, django_assert_num_queries
):
    registrations = loaded(RegistrationFactory.create_batch(3, conference=conference))

    with django_assert_num_queries(0):
        badges_pdf(registrations)


def test_fit_name_keeps_a_short_name_large_on_one_line():
    fonts_register()

    assert fit_name("Anna Nowak") == (["Anna Nowak"], 30)


def test_fit_name_splits_and_shrinks_a_long_name_to_the_badge_width():
    fonts_register()
    name = "Jean-Baptiste Alexandre Christophe Marie-Joseph de La Tour d'Auvergne-Lauraguais"

    lines, size = fit_name(name)

    assert len(lines) in (2, 3)
    assert " ".join(lines) == name
    assert 10 < size < 22
    assert max(stringWidth(line, FONT_BOLD, size) for line in lines) <= CONTENT_WIDTH + 0.01


def test_fit_name_shrinks_a_single_long_word_to_fit():
    fonts_register()

    [line], size = fit_name("Wojciechowska-Szczepańska-Kowalczyk")

    assert stringWidth(line, FONT_BOLD, size) == pytest.approx(CONTENT_WIDTH)


def test_category_colours_cover_every_category_with_high_contrast_text():
    assert set(CATEGORY_COLOURS) == set(Registration.Category.values)
    for background, text in CATEGORY_COLOURS.values():
        assert contrast_ratio(background, text) >= 7


def test_category_colours_differ_between_categories():
    backgrounds = [background for background, _text in CATEGORY_COLOURS.values()]
    assert len(set(backgrounds)) == len(backgrounds)


# --- Admin actions ------------------------------------------------------------------------


class BadgeAdmin(admin.ModelAdmin):
    actions = [print_badges_by_name, print_badges_by_authority]


@pytest.fixture
def action_request():
    request = RequestFactory().post("/admin/registrations/registration/")
    request.user = User.objects.create_superuser("organiser", "organiser@example.org", "x")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def drawn_order(monkeypatch) -> list:
    drawn = []
    encode = qr_modules

    def recording(payload):
        drawn.append(registration_from_badge_token(payload).full_name)
        return encode(payload)

    monkeypatch.setattr(badges, "qr_modules", recording)
    return drawn


def test_print_badges_by_name_sorts_confirmed_by_last_then_first_name(
    conference, action_request, monkeypatch
):
    for first_name, last_name in [("Zoë", "Šimek"), ("Anna", "Nowak"), ("Adam", "Nowak")]:
        RegistrationFactory(conference=conference, first_name=first_name, last_name=last_name)
    RegistrationFactory(
        conference=conference, last_name="Abel", status=Registration.Status.WAITLISTED
    )
    drawn = drawn_order(monkeypatch)

    response = print_badges_by_name(
        BadgeAdmin(Registration, admin.site), action_request, Registration.objects.all()
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="badges-by-name.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert pages(response.content) == [A4_MEDIA_BOX]
    assert drawn == ["Adam Nowak", "Anna Nowak", "Zoë Šimek"]


def test_print_badges_by_authority_sorts_by_authority_then_name(
    conference, action_request, monkeypatch
):
    liege = AuthorityFactory(name="Liège", country="BE")
    brno = AuthorityFactory(name="Brno", country="CZ")
    RegistrationFactory(conference=conference, authority=liege, first_name="Ada", last_name="Adamo")
    RegistrationFactory(
        conference=conference, authority=brno, first_name="Jiří", last_name="Dvořák"
    )
    RegistrationFactory(
        conference=conference, authority=brno, first_name="Karel", last_name="Čapek"
    )
    drawn = drawn_order(monkeypatch)

    response = print_badges_by_authority(
        BadgeAdmin(Registration, admin.site), action_request, Registration.objects.all()
    )

    assert response["Content-Disposition"] == 'attachment; filename="badges-by-authority.pdf"'
    assert drawn == ["Karel Čapek", "Jiří Dvořák", "Ada Adamo"]


def test_print_badges_without_confirmed_registrations_warns_and_prints_nothing(
    conference, action_request
):
    RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    response = print_badges_by_name(
        BadgeAdmin(Registration, admin.site), action_request, Registration.objects.all()
    )

    assert response is None
    assert [str(message) for message in get_messages(action_request)] == [
        "No badge to print: none of the selected registrations is confirmed."
    ]


def test_print_badges_actions_need_the_badge_permission():
    assert print_badges_by_name.allowed_permissions == ["print_badges"]
    assert print_badges_by_authority.allowed_permissions == ["print_badges"]


@pytest.mark.parametrize(
    ("codenames", "offered"),
    [(["view_registration", "print_badges"], True), (["view_registration"], False)],
)
def test_print_badges_actions_are_offered_to_holders_of_the_badge_permission(
    conference, codenames, offered
):
    user = User.objects.create_user("staff", "staff@example.org", "x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    request = RequestFactory().get("/admin/registrations/registration/")
    request.user = User.objects.get(pk=user.pk)

    actions = RegistrationAdmin(Registration, admin.site).get_actions(request)

    assert ({"print_badges_by_name", "print_badges_by_authority"} <= set(actions)) is offered
