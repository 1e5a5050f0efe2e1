"""Pytest fixtures: a real OpenID Connect provider (this package) on a free loopback port.

Started once per test session in its own process group, with an RSA key made here: the tests
hold the provider's private key, so they can sign tokens the provider could have signed (to
check expiry, issuer, audience and nonce) and tokens it could not have (a forged signature).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts import oidc
from tests.harness import free_port

REPO = Path(__file__).resolve().parents[2]
CLIENT_ID = "opsreview-test"
CLIENT_SECRET = secrets.token_urlsafe(24)


def rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass
class Provider:
    url: str
    private_key: str
    control_secret: str

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def _control(self, what: str, data: dict) -> dict:
        response = requests.post(
            f"{self.url}/control/{what}", data=json.dumps(data),
            headers={"X-Control-Secret": self.control_secret}, timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def person(self, username: str, *, groups: list[str], password: str = "idp-pass-123",
               email: str = "", first_name: str = "", last_name: str = "") -> str:
        """Create or update a person at the provider; returns their subject (sub)."""
        return self._control("user", {
            "username": username, "password": password, "groups": groups,
            "email": email or f"{username}@example.com",
            "first_name": first_name, "last_name": last_name,
        })["sub"]

    def register_client(self, app_url: str) -> None:
        self._control("client", {
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{app_url}/accounts/oidc/callback/"],
            "post_logout_redirect_uris": [f"{app_url}/accounts/login/"],
        })


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the test OIDC provider exited:\n{log.read_text()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the test OIDC provider did not answer:\n{log.read_text()}")


@pytest.fixture(scope="session")
def oidc_provider():
    workdir = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    port = free_port()
    provider = Provider(
        url=f"http://127.0.0.1:{port}", private_key=rsa_pem(),
        control_secret=secrets.token_urlsafe(24),
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "PROVIDER_SECRET_KEY": secrets.token_urlsafe(32),
        "PROVIDER_DB": str(workdir / "provider.sqlite3"),
        "PROVIDER_RSA_KEY": provider.private_key,
        "PROVIDER_CONTROL_SECRET": provider.control_secret,
    }
    log = workdir / "provider.log"
    with open(log, "w") as out:
        # cwd is the work dir: gunicorn must not pick up the app's own gunicorn.conf.py.
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
            env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait_until_up(f"{provider.issuer}/.well-known/openid-configuration", proc, log)
        yield provider
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    """The app configured for the test provider, the way docs/sign-in.md describes."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_PROVIDER_NAME = "Test IdP"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_GROUP_RULES = "opsreview-{team}-{role}; opsreview-leads=ops-lead"
    oidc.forget_discovery()
    yield settings
    oidc.forget_discovery()
