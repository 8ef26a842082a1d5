"""The WSGI entry point for gunicorn: ``gunicorn 'binsite.web.wsgi:app'``.

The BIN's folder is ``BINSITE_ROOT`` (default: the working folder); secrets
come from the environment as ``binsite.web.app`` says.
"""

from __future__ import annotations

import os
from pathlib import Path

from binsite.web.app import create_app

app = create_app(Path(os.environ.get("BINSITE_ROOT") or "."), environ=os.environ)
