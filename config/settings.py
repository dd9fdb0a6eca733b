"""Settings for the LLM inference calculator.

One module, read from environment variables. The defaults are safe for development on
a laptop (SQLite file, DEBUG on); production sets DJANGO_DEBUG=False and the variables
named in docs/operations.md (Environment variables).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value not in ("", "True", "False", "true", "false", "1", "0"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value in ("True", "true", "1")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.getenv(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; not {value!r}")
    return value


def envrate(name: str, default: str) -> str:
    """A rate such as "30/m" (30 a minute; s, m, h or d), or "off"."""
    value = os.getenv(name, default).strip()
    if value != "off" and not re.fullmatch(r"[1-9][0-9]*/[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must be a count per unit such as 30/m (s, m, h or d), or off; not {value!r}"
        )
    return value


DEBUG = envbool("DJANGO_DEBUG", "True")

# A development key only works while DEBUG is on; production must bring its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is False. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS from a pip package, no CDN
    "simple_history",
    "import_export",
    "calculator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who is asking (calculator/access.py): the sign-in proxy's header (proxy mode
    # only), an API token, then the gate that closes everything else in login and
    # proxy modes. Each reads CALCULATOR_ACCESS on every request.
    "calculator.access.ProxyUserMiddleware",
    "calculator.access.ApiTokenMiddleware",
    "calculator.access.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "calculator.access.access_context",
                "calculator.context_processors.named_values",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite by default (a file next to manage.py); DATABASE_URL for PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DJANGO_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers may write at once: WAL lets readers go on while one
    # writes, IMMEDIATE takes the write lock at BEGIN (no deadlocking upgrades), and
    # the timeout makes a writer wait its turn instead of failing with "locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests get a file too, not Django's in-memory default: threads (the concurrency
    # test, the live server) then share one database through WAL the way gunicorn
    # workers do. One file per test process, so parallel test runs don't collide.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"calculator-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Section: who may use the calculator (docs/operations.md, "Who may use it")
# open: anyone who reaches it (the default, as for `make run`); login: sign in with a
# username and password first; proxy: the company's sign-in proxy names the user in
# CALCULATOR_PROXY_USER_HEADER. In login and proxy modes the API wants a signed-in
# session or an API token (Authorization: Bearer ...).
CALCULATOR_ACCESS = envchoice("CALCULATOR_ACCESS", "open", ("open", "login", "proxy"))
# Read only in proxy mode: otherwise a client could name any user it likes.
CALCULATOR_PROXY_USER_HEADER = os.getenv("CALCULATOR_PROXY_USER_HEADER", "X-Forwarded-User")
if not re.fullmatch(r"[A-Za-z0-9-]+", CALCULATOR_PROXY_USER_HEADER):
    raise ImproperlyConfigured(
        "CALCULATOR_PROXY_USER_HEADER must be a header name of letters, digits and hyphens, "
        f"not {CALCULATOR_PROXY_USER_HEADER!r}"
    )
# Saves per client (a signed-in user, else an address), counted in the database so
# every worker of every server shares the count.
CALCULATOR_SAVE_RATE = envrate("CALCULATOR_SAVE_RATE", "30/m")
# Simulations and plans (/api/serve, /api/plan, /plan/, "saved vs now", "Under load")
# per client, counted the same way; beyond it a 429 with Retry-After
# (calculator/shedding.py). A person planning and typing stays far below it.
CALCULATOR_COMPUTE_RATE = envrate("CALCULATOR_COMPUTE_RATE", "120/m")
# Load shedding (calculator/shedding.py): heavy computations at once per gunicorn
# process, and how many more may wait for one (briefly) before the rest get a 503. The
# process's other threads stay free for cheap requests (gthread workers: make serve).
CALCULATOR_HEAVY_SLOTS = envint("CALCULATOR_HEAVY_SLOTS", "1")
CALCULATOR_HEAVY_QUEUE = envint("CALCULATOR_HEAVY_QUEUE", "2")
if CALCULATOR_HEAVY_SLOTS < 1 or CALCULATOR_HEAVY_QUEUE < 0:
    raise ImproperlyConfigured(
        "CALCULATOR_HEAVY_SLOTS must be at least 1 and CALCULATOR_HEAVY_QUEUE at least 0"
    )
# How many reverse proxies in front append to X-Forwarded-For (docs/operations.md): the
# rate limit counts anonymous clients by the address the outermost one saw. 0: no
# proxy, the connection's address (a client's X-Forwarded-For is never read).
CALCULATOR_TRUSTED_PROXIES = envint("CALCULATOR_TRUSTED_PROXIES", "0")
if CALCULATOR_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured(
        f"CALCULATOR_TRUSTED_PROXIES must be 0 or more, not {CALCULATOR_TRUSTED_PROXIES}"
    )
if os.getenv("CALCULATOR_CLIENT_IP_HEADER"):
    raise ImproperlyConfigured(
        "CALCULATOR_CLIENT_IP_HEADER is gone: set CALCULATOR_TRUSTED_PROXIES to the number "
        "of reverse proxies in front of the app (1 for one proxy appending X-Forwarded-For)"
    )

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "calculator.access.ProxyUserBackend",
]
LOGIN_URL = "calculator:login"
LOGIN_REDIRECT_URL = "calculator:calculator"
LOGOUT_REDIRECT_URL = "calculator:calculator"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
# Where collectstatic writes (and whitenoise serves from); a deployment may point it
# outside the checkout, the load benchmark at a temporary directory.
STATIC_ROOT = Path(os.getenv("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# django-import-export: importing prices takes the model's "change" permission (by
# default any staff user could), exporting its "view" permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Content Security Policy (built into Django 6): our own origin only, scripts need
# the per-request nonce, no inline styles, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# HTTPS hardening: on whenever DEBUG is off. DJANGO_SECURE_SSL_REDIRECT=False for a
# deployment whose proxy terminates TLS and already redirects.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "True")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("DJANGO_SECURE_HSTS_PRELOAD", "False")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    # Load balancers probe /healthz over plain HTTP on the private network; a redirect
    # to HTTPS would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # check --deploy warnings we silence, each for a reason (see docs/operations.md, Production):
    # W021: HSTS preload is a commitment for the whole registered domain and every
    # subdomain, hard to undo, and only possible when the app is served on the apex
    # domain; the operator opts in with DJANGO_SECURE_HSTS_PRELOAD=True.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
    # W008: DJANGO_SECURE_SSL_REDIRECT=False says the proxy in front already
    # redirects HTTP to HTTPS, so the warning would be about a decision already made.
    if not SECURE_SSL_REDIRECT:
        SILENCED_SYSTEM_CHECKS.append("security.W008")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("DJANGO_LOG_LEVEL", "INFO")},
}
