from django.dispatch import Signal

# Sent with the conference when organisers raise its capacity, so that the app that holds the
# waiting list (registrations) can fill the new places without conference depending on it.
conference_capacity_raised = Signal()
