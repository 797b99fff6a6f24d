"""Developer machine: works with no server at all (SQLite, console email, in-process tasks)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Without REDIS_URL the cache is per process, which axes warns of: runserver is one process.
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
