"""An authority renamed, moved, or listed or hidden by an organiser is shown afresh on the
participants page and the maps of the conferences it has delegates at (the page cache's
network version; confirmations raise it in places.counters)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from conference.page_cache import network_changed
from registrations.models import Authority, Registration


def _authority_changed(sender, instance: Authority, **kwargs) -> None:
    conference_ids = set(
        Registration.objects.filter(authority_id=instance.pk)
        .order_by()
        .values_list("conference_id", flat=True)
        .distinct()
    )

    def retire() -> None:
        for conference_id in conference_ids:
            network_changed(conference_id)

    transaction.on_commit(retire)


def network_cache_connect() -> None:
    """Connected once, from the app's ready()."""
    post_save.connect(_authority_changed, sender=Authority, dispatch_uid="network_map.authority")
    post_delete.connect(
        _authority_changed, sender=Authority, dispatch_uid="network_map.authority.delete"
    )
