"""The background export jobs whose file holds (or will hold) some registrations."""

import datetime
from collections.abc import Iterable
from functools import partial

from django.db import transaction

from registrations.models import ExportJob


def export_jobs_holding(
    registration_ids: Iterable[int], *, since: datetime.datetime
) -> list[ExportJob]:
    """The jobs asked for since `since` that list one of these registrations, whatever their
    state (a queued or running one would write them). A built job that lists nobody was built
    before jobs kept their list: it may hold anyone and is counted in. A failed one has no
    file. Locked: the caller deletes them (a build whose job was deleted meanwhile removes its
    own file, organiser.exports.build)."""
    wanted = set(registration_ids)
    jobs = ExportJob.objects.select_for_update().filter(created_at__gte=since)
    return [
        job
        for job in jobs.exclude(status=ExportJob.Status.FAILED).only(
            "pk", "status", "file", "registration_ids"
        )
        if (job.registration_ids is None and job.status == ExportJob.Status.DONE)
        or not wanted.isdisjoint(job.registration_ids or ())
    ]


def export_jobs_delete(jobs: Iterable[ExportJob]) -> None:
    """Deletes the jobs, and their files once the transaction commits."""
    jobs = list(jobs)
    for job in jobs:
        if job.file:
            transaction.on_commit(partial(job.file.storage.delete, job.file.name))
    ExportJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
