import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_asgi_application()

from django.conf import settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from live.asgi import SharedStreamThreads  # noqa: E402

application = SharedStreamThreads(
    django_application, prefix=reverse("live:events"), threads=settings.LIVE_STREAM_THREADS
)

# Web processes sweep too, so a dead worker's job or command is ended even with no worker left.
from maintenance.sweeper import start_in_background  # noqa: E402

start_in_background()
