"""Migrate the provider's throwaway database, then serve it with gunicorn on the given port.

    python -m tests.oidc_provider.serve PORT
"""

import os
import sys

import django
from django.core.management import call_command


def main(port: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
        "--log-level", "warning", "tests.oidc_provider.wsgi:application",
    ]
    run()


if __name__ == "__main__":
    main(sys.argv[1])
