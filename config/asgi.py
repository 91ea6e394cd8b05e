import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()

# Web processes sweep too, so a dead worker's job or command is ended even with no worker left.
from maintenance.sweeper import start_in_background  # noqa: E402

start_in_background()
