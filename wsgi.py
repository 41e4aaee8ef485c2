"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

import sys

from app import create_app
from app.content import ContentError

try:
    app = create_app()
except ContentError as exc:
    # Refuse to start on invalid content, with the list of problems and no traceback.
    sys.exit(str(exc))
