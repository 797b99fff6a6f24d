"""Exceptions of registrations: a leaf module, it imports nothing of the project."""


class RegistrationError(Exception):
    """A rule refused the change; the message is fit to show to the person who asked."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RegistrationClosedError(RegistrationError):
    pass


class AuthorityFullError(RegistrationError):
    pass


class BookingError(RegistrationError):
    pass


class ChangesClosedError(RegistrationError):
    pass


class TemporaryEmailError(Exception):
    def __init__(self, retry_in: int):
        super().__init__(f"temporary failure, retry in {retry_in} s")
        self.retry_in = retry_in


class CheckInRefusedError(RegistrationError):
    pass


class ExportTooLargeError(Exception):
    pass
