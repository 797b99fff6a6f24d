import os

from celery import Celery

# The same default as the WSGI and ASGI entry points: this module is imported with the config
# package, by whichever entry point comes first, so a development default here would win over
# theirs (manage.py sets config.settings.local before it imports anything of the project).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
