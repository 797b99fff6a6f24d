"""Inserting a new registration: its reference drawn at random, the unique index deciding, and
its history row; under the conference lock, in as few statements and as little CPU as can be."""

import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, router, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record
from simple_history.utils import get_change_reason_from_object

from registrations.models import Registration
from registrations.outbox.rows import (
    StatementBatch,
    row_insert_possible,
    row_insert_unless_taken,
    rows_insert,
)

# Letters and digits that cannot be mistaken for one another when read aloud or typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

REFERENCE_LENGTH = 5


def registration_reference_new(prefix: str) -> str:
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{suffix}"


def registration_save_with_reference(registration: Registration, prefix: str) -> None:
    # 31^5 ≈ 28 million references per prefix: a clash is rare, and the unique index decides.
    # No look-up first: it would cost a query on every registration to spare a savepoint
    # rollback about once in millions.
    for _attempt in range(10):
        registration.reference = registration_reference_new(prefix)
        try:
            with transaction.atomic():
                registration.save()
            return
        except IntegrityError:
            if Registration.objects.filter(reference=registration.reference).exists():
                continue
            raise
    raise RuntimeError("could not find a free registration reference")


def registration_insert_locked(
    registration: Registration,
    prefix: str,
    *,
    batch: StatementBatch | None = None,
    name_keys_set: bool = False,
) -> None:
    """registration_save_with_reference for a new registration under the conference lock, in
    two statements instead of four and a fraction of the CPU: a reference already taken inserts
    nothing (INSERT … ON CONFLICT DO NOTHING) and another is drawn, without a savepoint; the
    signals of a save are sent, and the history row is the one simple_history's post_save
    writes, by a statement written once. Saved as before where that cannot be done (a database
    without ON CONFLICT … RETURNING). With a `batch`, the history row is left in it to send.
    `name_keys_set`: the caller set the name keys (set_name_keys, as save() does) since the
    names last changed, before the lock."""
    if (
        not row_insert_possible(Registration)
        # Many-to-many fields tracked: their history rows are simple_history's own to write.
        or registration_history_model()._history_m2m_fields
    ):
        registration_save_with_reference(registration, prefix)
        return
    if not name_keys_set:
        registration.set_name_keys()
    alias = router.db_for_write(Registration)
    pre_save.send(
        sender=Registration, instance=registration, raw=False, using=alias, update_fields=None
    )
    for _attempt in range(10):
        registration.reference = registration_reference_new(prefix)
        inserted = row_insert_unless_taken(registration, unique="reference")
        if inserted is None:
            # A value the statement cannot take (an expression, a key set): saved as before, its
            # signals and history row by save().
            registration_save_with_reference(registration, prefix)
            return
        if inserted:
            break
    else:
        raise RuntimeError("could not find a free registration reference")
    # Every post_save receiver but simple_history's, whose row is written below, cheaper.
    skipped = hasattr(registration, "skip_history_when_saving")
    if not skipped:
        registration.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        post_save.send(
            sender=Registration,
            instance=registration,
            created=True,
            update_fields=None,
            raw=False,
            using=alias,
        )
    finally:
        if not skipped:
            del registration.skip_history_when_saving  # type: ignore[attr-defined]
    if getattr(settings, "SIMPLE_HISTORY_ENABLED", True) and not skipped:
        registration_history_created(registration, batch=batch)


def registration_history_model() -> Any:
    """Registration's history model, from simple_history's descriptor on the class: reading
    Registration.history builds a manager class on every access (from_queryset, which walks
    the queryset class's members), ~0.3 ms under the lock for its .model."""
    descriptor = vars(Registration)[Registration._meta.simple_history_manager_attribute]  # type: ignore[attr-defined]
    return descriptor.model


def registration_history_created(
    registration: Registration, *, batch: StatementBatch | None = None
) -> None:
    """The history row of a registration just inserted, as simple_history's
    create_historical_record(registration, "+") writes it: the same date (the instance's
    _history_date, else now), user (the instance's _history_user, else the signed-in user of
    the request the middleware keeps), change reason, tracked fields, and signals; the row by
    rows_insert instead of a save compiled under the lock. Only for a history that tracks no
    many-to-many fields (registration_insert_locked saves as before otherwise). With a
    `batch`, the row is sent with it, and post_create_historical_record once it is saved."""
    model = registration_history_model()
    history_date = getattr(registration, "_history_date", timezone.now())
    try:
        history_user = registration._history_user  # type: ignore[attr-defined]
    except AttributeError:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
        history_user = user if user is not None and user.is_authenticated else None
    history_change_reason = get_change_reason_from_object(registration)
    fields = {field.attname: getattr(registration, field.attname) for field in model.tracked_fields}
    if getattr(model, "history_relation", None) is not None:
        fields["history_relation"] = registration
    history_instance = model(
        history_date=history_date,
        history_type="+",
        history_user=history_user,
        history_change_reason=history_change_reason,
        **fields,
    )
    signal_arguments = {
        "instance": registration,
        "history_date": history_date,
        "history_user": history_user,
        "history_change_reason": history_change_reason,
        "history_instance": history_instance,
        "using": None,
    }
    pre_create_historical_record.send(sender=model, **signal_arguments)
    rows_insert(
        [history_instance],
        batch=batch,
        then=lambda: post_create_historical_record.send(sender=model, **signal_arguments),
    )
