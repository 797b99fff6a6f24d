"""Staff sessions for tests: logged in and verified by a second factor, as django_otp.login
leaves them after the token step (staff who can see special needs, change registrations or
export need it to use the admin)."""

from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrations.permissions import two_factor_required


def totp_device(user: User) -> TOTPDevice:
    """The user's enrolled authenticator app (made the first time), named as two_factor's
    setup names the device its login asks first."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="default", defaults={"confirmed": True}
    )
    return device


def verified_login(client: Client, user: User) -> TOTPDevice:
    """Logs the user in on the client with a session that passed the second factor."""
    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def staff_login(client: Client, user: User) -> None:
    """Logs a member of staff in as they would be in use: verified by a second factor if their
    permissions require one, with their password alone otherwise."""
    if two_factor_required(user):
        verified_login(client, user)
    else:
        client.force_login(user)
