"""Who may use the calculator, and who is asking: settings.CALCULATOR_ACCESS.

- ``open``: anyone who reaches the app (today's behaviour; signing in is optional and
  only records who saved what).
- ``login``: everything but /healthz, the sign-in page and static files wants a
  signed-in user (Django's LoginRequiredMiddleware).
- ``proxy``: the company's sign-in proxy names the user in a header
  (CALCULATOR_PROXY_USER_HEADER); users are created on first sight, never staff.

In ``login`` and ``proxy`` modes the API answers 401 with a JSON error unless the
request is signed in or carries ``Authorization: Bearer <token>`` (an ApiToken).

A token opens the JSON API under ``/api/`` and nothing else: not pages, not the token
page (a token can't mint a token), not the admin, not saves. Elsewhere the header is
not read at all; a request it was meant to open answers 401 saying where tokens work.

Each middleware reads the mode on every request rather than being left out of
MIDDLEWARE, so the header is ignored whenever the mode is not ``proxy``: a client that
forges it gains nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.middleware import LoginRequiredMiddleware, RemoteUserMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.deprecation import MiddlewareMixin
from django_htmx.http import HttpResponseClientRedirect

OPEN, LOGIN, PROXY = "open", "login", "proxy"
API_PREFIX = "/api/"
USERNAME_MAX_LENGTH = 150  # django.contrib.auth's User.username


def access_mode() -> str:
    return settings.CALCULATOR_ACCESS


def meta_key(header: str) -> str:
    """Where Django puts an HTTP header in request.META: X-Forwarded-User arrives as
    HTTP_X_FORWARDED_USER."""
    return "HTTP_" + header.upper().replace("-", "_")


def access_context(request: HttpRequest) -> dict:
    """Templates: the mode, for the navigation's sign-in and sign-out links."""
    return {"access_mode": access_mode()}


# Section: the sign-in proxy


class ProxyUserBackend(RemoteUserBackend):
    """Users named by the sign-in proxy: created on first sight with no password and
    no staff rights (staff grant those in the admin). Only in proxy mode: outside it
    this backend authenticates nobody, and sessions it started are no longer valid."""

    create_unknown_user = True

    def authenticate(self, request, remote_user):
        if access_mode() != PROXY:
            return None
        remote_user = (remote_user or "").strip()
        if not remote_user or len(remote_user) > USERNAME_MAX_LENGTH:
            return None
        return super().authenticate(request, remote_user)

    def configure_user(self, request, user, created=True):
        if created:  # the proxy vouches for them; there is no password to sign in with
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def get_user(self, user_id):
        if access_mode() != PROXY:
            return None
        return super().get_user(user_id)


class ProxyUserMiddleware(RemoteUserMiddleware):
    """RemoteUserMiddleware on the configured header, in proxy mode only."""

    async_capable = False  # a WSGI app: Django adapts if it ever runs under ASGI

    @property
    def header(self) -> str:
        return meta_key(settings.CALCULATOR_PROXY_USER_HEADER)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if access_mode() == PROXY:
            self.process_request(request)
        return self.get_response(request)


# Section: API tokens


def _unauthorized(message: str, error: str | None = None) -> JsonResponse:
    challenge = 'Bearer realm="calculator"'
    if error:
        challenge += f', error="{error}"'
    return JsonResponse({"error": message}, status=401, headers={"WWW-Authenticate": challenge})


def bearer_key(request: HttpRequest) -> str | None:
    """The key of ``Authorization: Bearer <key>``, or None without one."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else None


def opens_with_token(request: HttpRequest) -> bool:
    """Whether a token may authenticate this request: the JSON API only."""
    return request.path_info.startswith(API_PREFIX)


class ApiTokenMiddleware(MiddlewareMixin):
    """``Authorization: Bearer <token>`` on an ``/api/`` request acts as the token's
    user for this request only (no session). A token that isn't valid is refused
    outright, in every mode: a script should learn its key is wrong, not carry on
    anonymously. Outside ``/api/`` the header is ignored (the request is whoever its
    session says), so a token is never a login."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        key = bearer_key(request)
        if key is None or not opens_with_token(request):
            return None
        from calculator.models import ApiToken  # models import after apps are ready

        token = ApiToken.objects.authenticate(key)
        if token is None:
            return _unauthorized(
                "This API token is not valid: revoked, mistyped or its user deactivated.",
                "invalid_token",
            )
        request.user = token.user
        request.api_token = token
        return None


# Section: the gate


class AccessMiddleware(LoginRequiredMiddleware):
    """In login and proxy modes, a request nobody signed in for gets the sign-in page
    (an htmx request: a client-side redirect to it; the API: 401 JSON). Views marked
    ``login_not_required`` (/healthz, the sign-in page) stay open; static files never
    reach it (whitenoise answers them first)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if access_mode() == OPEN:
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        if bearer_key(request) is not None and not opens_with_token(request):
            return _unauthorized(
                f"An API token opens only the JSON API under {API_PREFIX}; "
                "sign in with a browser for everything else."
            )
        if opens_with_token(request):
            return _unauthorized(
                "Sign in, or send an API token: Authorization: Bearer <token> "
                "(create one at /accounts/tokens/)."
            )
        if getattr(request, "htmx", False):
            # htmx would follow a redirect and swap the sign-in page into the results.
            login = resolve_url(self.get_login_url(view_func))
            page = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(f"{login}?{urlencode({'next': page})}")
        return super().handle_no_permission(request, view_func)
