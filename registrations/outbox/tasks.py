"""The Celery task that sends an outbox email. It takes an id and calls the service, which owns
the rules; the task owns the retries. Its name is kept from when every task lived in
registrations.tasks, so that messages already in the broker still find it."""

from celery import shared_task

from registrations.errors import TemporaryEmailError
from registrations.outbox.send import outbound_email_send


# The service counts attempts and marks the email failed after the last one, so Celery's own
# retry limit is off.
@shared_task(
    name="registrations.tasks.send_outbound_email", bind=True, acks_late=True, max_retries=None
)
def send_outbound_email(self, email_id: int) -> None:
    try:
        outbound_email_send(email_id=email_id)
    except TemporaryEmailError as error:
        if self.request.is_eager:
            # In-process mode has no broker to wait on: the row stays queued with its error, and
            # an organiser can send it again from the admin.
            return
        raise self.retry(countdown=error.retry_in, exc=error) from error
