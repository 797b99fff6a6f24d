import pytest

from registrations.documents.tokens import badge_token, registration_from_badge_token
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_badge_token_leads_back_to_its_registration():
    registration = RegistrationFactory()
    token = badge_token(registration)

    assert registration.reference not in token
    assert registration_from_badge_token(token) == registration


@pytest.mark.parametrize("token", ["", "NCE-7K3Q9", "forged:token:value"])
def test_forged_or_plain_tokens_are_refused(token):
    RegistrationFactory(reference="NCE-7K3Q9")
    assert registration_from_badge_token(token) is None


def test_tampered_token_is_refused():
    token = badge_token(RegistrationFactory())
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert registration_from_badge_token(tampered) is None
