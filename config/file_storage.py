"""Where the files the site writes and serves later are kept (export files, visa letters):
Django's default storage, chosen by the environment. On the local disk by default (the
embedded set-up, or one machine whose web and worker containers share a volume); in an
S3-compatible object store when web processes and workers run on several machines, so that a
file written by a worker on one is served by a web process on another."""

import environ
from django.core.exceptions import ImproperlyConfigured

FILESYSTEM, S3 = "filesystem", "s3"

# A download from the object store is held in memory up to this size, then on disk: a large
# export costs a web process no more memory than a small one.
S3_DOWNLOAD_MEMORY_BYTES = 2 * 2**20


def default_storage_settings(env: environ.Env) -> dict:
    """The STORAGES["default"] entry that DJANGO_MEDIA_STORAGE and the DJANGO_S3_* variables
    describe (README.md, Configuration)."""
    kind = env("DJANGO_MEDIA_STORAGE", default="") or FILESYSTEM
    if kind == FILESYSTEM:
        # In MEDIA_ROOT, read when the storage is first used (tests point it elsewhere).
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != S3:
        raise ImproperlyConfigured(
            f"DJANGO_MEDIA_STORAGE is {kind!r}: it must be {FILESYSTEM!r} or {S3!r}."
        )
    bucket = env("DJANGO_S3_BUCKET", default="")
    if not bucket:
        raise ImproperlyConfigured("DJANGO_MEDIA_STORAGE is 's3': set DJANGO_S3_BUCKET.")

    def optional(name: str) -> str | None:
        # Unset or empty (as docker-compose passes a variable missing from .env): none.
        return env(name, default="") or None

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # Any S3-compatible store (MinIO, Ceph, a cloud's); none: AWS itself.
            "endpoint_url": optional("DJANGO_S3_ENDPOINT_URL"),
            "region_name": optional("DJANGO_S3_REGION"),
            # None: boto3's own chain (AWS_* variables, an instance or pod role).
            "access_key": optional("DJANGO_S3_ACCESS_KEY_ID"),
            "secret_key": optional("DJANGO_S3_SECRET_ACCESS_KEY"),
            "location": env("DJANGO_S3_PREFIX", default=""),
            # Path-style addresses for stores without a host name per bucket (MinIO's default).
            "addressing_style": optional("DJANGO_S3_ADDRESSING_STYLE"),
            # No ACL sent: objects are as private as the bucket (files of personal data are
            # served by the site, to their owner only, never by a link to the store); stores
            # with ACLs disabled refuse uploads that name one.
            "default_acl": None,
            "querystring_auth": True,
            # Names carry a random part already; never replace a file another job wrote.
            "file_overwrite": False,
            "max_memory_size": S3_DOWNLOAD_MEMORY_BYTES,
        },
    }
