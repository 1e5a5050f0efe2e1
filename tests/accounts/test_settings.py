"""Bad sign-in settings stop the start with a message (the settings module run afresh)."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

GOOD = {"OIDC_ISSUER": "https://sso.example.com", "OIDC_CLIENT_ID": "opsreview",
        "OIDC_CLIENT_SECRET": "s3cret"}


def start(**variables) -> subprocess.CompletedProcess:
    # Production refuses short or placeholder keys (opsreview/settings.py): a real-looking one.
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "k" * 60, **variables}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(("variables", "message"), [
    ({"OIDC_ISSUER": "https://sso.example.com"}, "needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
    ({**GOOD, "OIDC_ISSUER": "http://sso.example.com"}, "must be an https:// address"),
    ({**GOOD, "OIDC_SIGN_ALGO": "HS256"}, "public-key algorithm"),
    ({**GOOD, "OIDC_GROUP_RULES": "leads=platform:boss"}, "OIDC_GROUP_RULES: 'leads=platform"),
])
def test_bad_sign_in_settings_stop_the_start(variables, message):
    result = start(DJANGO_SETTINGS_MODULE="opsreview.settings", **variables)

    assert result.returncode != 0
    assert message in result.stderr


def test_good_sign_in_settings_start():
    result = start(DJANGO_SETTINGS_MODULE="opsreview.settings", **GOOD)

    assert result.returncode == 0, result.stderr
