from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Served through WSGI means served for real: DEBUG stays off unless asked for. (The
# settings' development default applies to manage.py runserver and the tests.)
os.environ.setdefault("DJANGO_DEBUG", "False")

application = get_wsgi_application()
