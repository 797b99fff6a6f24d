"""Exceptions of registrations: a leaf module, it imports nothing of the project."""


class RegistrationError(Exception):
    """A rule refused the change; the message is fit to show to the person who asked."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RegistrationClosedError(RegistrationError):
    """Registration for the conference is not open (yet, or any more)."""


class AlreadyRegisteredError(RegistrationError):
    """The address is already registered for the conference (told to organisers only)."""


class AuthorityFullError(RegistrationError):
    """The authority has used the places it may take at the conference."""


class BookingError(RegistrationError):
    """A session cannot be booked: not of this conference, needs no sign-up, or clashes."""


class SessionFullError(BookingError):
    """The session has no place left, and its waiting list was not wanted."""


class ChangesClosedError(RegistrationError):
    """The delegate can no longer change their registration themselves."""


class CheckInRefusedError(RegistrationError):
    """The delegate cannot be checked in: cancelled or rejected."""


class TemporaryEmailError(Exception):
    """Sending failed, but a later attempt may succeed: the task retries in `retry_in` s."""

    def __init__(self, retry_in: int):
        super().__init__(f"temporary failure, retry in {retry_in} s")
        self.retry_in = retry_in


class ExportTooLargeError(Exception):
    """The rows do not fit in one XLSX worksheet."""
