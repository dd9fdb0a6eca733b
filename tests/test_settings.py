"""Production settings: check --deploy is clean, and a missing secret key stops start-up.

Settings are read once per process, so each case runs manage.py in a subprocess with
its own environment.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocesses or real concurrency: `make test-fast` leaves it out

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") or key == "DJANGO_SETTINGS_MODULE"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "calc.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://calc.example.com",
}


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_reports_nothing_behind_a_proxy_that_redirects():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        DJANGO_SECURE_SSL_REDIRECT="False",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_about_a_short_secret_key():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": "short"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is False" in result.stderr


def test_it_refuses_a_debug_value_it_cannot_read():
    result = manage("check", DJANGO_DEBUG="yes please")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be True or False" in result.stderr


@pytest.fixture(scope="module")
def production_settings() -> dict:
    """The settings production's environment gives, read in one subprocess."""
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "STORAGES",
    ]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("DEBUG", False),
        ("SESSION_COOKIE_SECURE", True),
        ("CSRF_COOKIE_SECURE", True),
        ("SECURE_SSL_REDIRECT", True),
        ("SECURE_REDIRECT_EXEMPT", ["^healthz$"]),
        ("SECURE_HSTS_SECONDS", 31536000),
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", True),
        ("ALLOWED_HOSTS", ["calc.example.com"]),
        ("CSRF_TRUSTED_ORIGINS", ["https://calc.example.com"]),
    ],
)
def test_production_settings_come_from_the_environment(production_settings, setting, expected):
    assert production_settings[setting] == expected


def test_production_serves_compressed_hashed_static_files(production_settings):
    assert (
        production_settings["STORAGES"]["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_the_database_comes_from_database_url():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])",
        **PRODUCTION,
        DATABASE_URL="postgres://calc:pw@db.internal:5433/calc",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "calc", "db.internal", "5433"]


def test_the_policy_allows_no_inline_code_and_no_other_origins():
    from django.conf import settings
    from django.utils.csp import CSP

    policy = settings.SECURE_CSP
    assert policy["default-src"] == [CSP.SELF]
    assert policy["script-src"] == [CSP.SELF, CSP.NONCE]
    for directive, sources in policy.items():
        assert CSP.UNSAFE_INLINE not in sources, directive
        assert CSP.UNSAFE_EVAL not in sources, directive
        assert not any(s.startswith(("http:", "https:", "*")) for s in sources), directive
