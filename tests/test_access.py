"""Who may use the calculator: open, login and proxy modes, and API tokens."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from calculator.answers.estimate import DEFAULTS
from calculator.models import ApiToken
from tests.test_settings import manage

pytestmark = pytest.mark.django_db

API_URL = "/api/estimate?model=llama-3.1-8b&gpu=h100-sxm&gpus=1&batch=1&prompt=100&completion=10"
PAGES = ["/", "/scenarios/", "/scenarios.csv", "/compare/?s=x&s=y"]
LOGIN_URL = reverse("calculator:login")
PASSWORD = "a-long-user-password-1"


@pytest.fixture
def mode(settings):
    def set_mode(value: str, header: str = "X-Forwarded-User") -> None:
        settings.CALCULATOR_ACCESS = value
        settings.CALCULATOR_PROXY_USER_HEADER = header

    return set_mode


@pytest.fixture
def alice(db) -> User:
    return User.objects.create_user("alice", password=PASSWORD)


# Section: the setting


def test_an_access_mode_it_does_not_know_stops_start_up():
    result = manage("check", CALCULATOR_ACCESS="sso")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CALCULATOR_ACCESS must be one of open, login, proxy; not 'sso'" in result.stderr


def test_a_proxy_header_name_that_is_not_a_header_stops_start_up():
    result = manage("check", CALCULATOR_PROXY_USER_HEADER="X_Forwarded_User")
    assert result.returncode != 0
    assert "CALCULATOR_PROXY_USER_HEADER must be a header name" in result.stderr


def test_the_default_is_open(settings):
    # The environment of the test run doesn't set it (CI runs the suite as is).
    assert settings.CALCULATOR_ACCESS == "open"


# Section: open


def test_open_mode_serves_pages_and_the_api_to_anyone(client):
    # The comparison of ids that don't exist is the view's own 404, not a refusal.
    expected = {"/": 200, "/scenarios/": 200, "/scenarios.csv": 200, "/compare/?s=x&s=y": 404}
    assert set(expected) == set(PAGES)
    assert {url: client.get(url).status_code for url in PAGES} == expected
    assert client.get(API_URL).status_code == 200


def test_open_mode_offers_signing_in(client):
    response = client.get("/")
    assert f'href="{LOGIN_URL}"' in response.text


# Section: login


def test_login_mode_sends_pages_to_the_sign_in_page(client, mode):
    mode("login")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN_URL}?next=/"), url


def test_login_mode_closes_the_api_with_a_json_401(client, mode):
    mode("login")
    response = client.get(API_URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "Authorization: Bearer" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_login_mode_keeps_healthz_and_the_sign_in_page_open(client, mode):
    mode("login")
    assert client.get("/healthz").status_code == 200
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert "<h1" in response.text and "Sign in" in response.text


def test_login_mode_keeps_static_files_open(client, mode, settings):
    mode("login")
    settings.WHITENOISE_USE_FINDERS = True  # serve from the app's folders, as in development
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    response.close()


def test_signing_in_opens_the_page_asked_for(client, mode, alice):
    mode("login")
    response = client.post(
        LOGIN_URL, {"username": "alice", "password": PASSWORD, "next": "/scenarios/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/scenarios/"
    page = client.get("/scenarios/")
    assert page.status_code == 200
    assert 'id="signed-in-as">alice<' in page.text
    assert client.get(API_URL).status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client, mode, alice):
    mode("login")
    response = client.post(LOGIN_URL, {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_an_htmx_request_without_a_session_is_sent_to_sign_in_not_swapped(client, mode):
    mode("login")
    response = client.post(
        "/", {}, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/?gpus=2"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN_URL}?next=%2F%3Fgpus%3D2"
    assert b"<html" not in response.content


def test_signing_out_ends_the_session(client, mode, alice):
    mode("login")
    client.force_login(alice)
    response = client.post(reverse("calculator:logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_the_admin_login_still_works_in_login_mode(client, mode):
    mode("login")
    assert client.get(reverse("admin:login")).status_code == 200


# Section: proxy


def test_proxy_mode_signs_in_the_user_the_header_names(client, mode):
    mode("proxy")
    response = client.get("/", headers={"X-Forwarded-User": "carol"})
    assert response.status_code == 200
    assert 'id="signed-in-as">carol<' in response.text
    carol = User.objects.get(username="carol")
    assert not carol.is_staff and not carol.is_superuser
    assert not carol.has_usable_password()


def test_proxy_mode_reuses_a_known_user_and_keeps_granted_rights(client, mode):
    mode("proxy")
    User.objects.create_user("dave", is_staff=True)
    client.get("/", headers={"X-Forwarded-User": "dave"})
    assert User.objects.filter(username="dave").count() == 1
    assert (
        client.get(reverse("admin:index"), headers={"X-Forwarded-User": "dave"}).status_code == 200
    )


def test_proxy_mode_reads_the_configured_header(client, mode):
    mode("proxy", header="X-Auth-Request-User")
    assert client.get("/", headers={"X-Forwarded-User": "mallory"}).status_code == 302
    response = client.get("/", headers={"X-Auth-Request-User": "erin"})
    assert response.status_code == 200
    assert not User.objects.filter(username="mallory").exists()
    assert User.objects.filter(username="erin").exists()


def test_proxy_mode_without_the_header_is_not_signed_in(client, mode):
    mode("proxy")
    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert 'id="proxy-not-signed-in"' in page.text
    assert client.get(API_URL).status_code == 401


def test_proxy_mode_follows_the_header_when_it_names_someone_else(client, mode):
    mode("proxy")
    client.get("/", headers={"X-Forwarded-User": "carol"})
    response = client.get("/", headers={"X-Forwarded-User": "frank"})
    assert 'id="signed-in-as">frank<' in response.text
    # The proxy stops sending it: the proxy's session ends with it.
    assert client.get("/").status_code == 302


def test_proxy_mode_refuses_a_name_longer_than_a_username(client, mode):
    mode("proxy")
    response = client.get("/", headers={"X-Forwarded-User": "x" * 151})
    assert response.status_code == 302
    assert not User.objects.exists()


@pytest.mark.parametrize("access", ["open", "login"])
def test_a_forged_header_is_ignored_when_no_proxy_is_configured(client, mode, access, alice):
    mode(access)
    User.objects.create_superuser("admin", password=PASSWORD)

    response = client.get("/", headers={"X-Forwarded-User": "admin"})

    assert 'id="signed-in-as"' not in response.text
    assert (
        client.get(reverse("admin:index"), headers={"X-Forwarded-User": "admin"}).status_code == 302
    )
    assert client.get(API_URL, headers={"X-Forwarded-User": "admin"}).status_code == (
        200 if access == "open" else 401
    )
    assert not User.objects.exclude(username__in=["alice", "admin"]).exists()


def test_a_proxy_session_ends_when_the_mode_is_no_longer_proxy(client, mode):
    mode("proxy")
    client.get("/", headers={"X-Forwarded-User": "carol"})
    mode("login")
    assert client.get("/").status_code == 302


# Section: API tokens


def issue(user: User, name: str = "script") -> str:
    return ApiToken.issue(user, name)[1]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("access", ["login", "proxy"])
def test_a_token_opens_the_closed_api(client, mode, alice, access):
    mode(access)
    key = issue(alice)

    response = client.get(API_URL, headers=bearer(key))

    assert response.status_code == 200
    assert response.json()["decode"]["tokens_per_second"] > 0
    assert ApiToken.objects.get().last_used_at is not None
    # The request is the token's user's, and says which token opened it.
    assert response.wsgi_request.user == alice
    assert response.wsgi_request.api_token == ApiToken.objects.get()
    # It opened this request only: no session cookie for the script to keep.
    assert "sessionid" not in response.cookies


def test_a_token_is_stored_only_as_its_hash(alice):
    token, key = ApiToken.issue(alice, "report")
    assert key.startswith("calc_") and len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(v) for v in ApiToken.objects.values_list(flat=False).get()}
    assert token.shown == key[:9]


@pytest.mark.parametrize("access", ["open", "login"])
def test_a_wrong_or_revoked_token_is_refused(client, mode, alice, access):
    mode(access)
    key = issue(alice)
    ApiToken.objects.all().delete()

    for header in (bearer(key), bearer("calc_not-a-token"), bearer("")):
        response = client.get(API_URL, headers=header)
        assert response.status_code == 401
        assert "not valid" in response.json()["error"]
        assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_deactivated_users_token_is_refused(client, mode, alice):
    mode("login")
    key = issue(alice)
    alice.is_active = False
    alice.save()
    assert client.get(API_URL, headers=bearer(key)).status_code == 401


def test_the_token_page_wants_a_signed_in_user(client):
    response = client.get(reverse("calculator:api-tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_a_user_creates_a_token_sees_it_once_and_it_works(client, mode, alice):
    client.force_login(alice)
    response = client.post(reverse("calculator:api-tokens"), {"name": "nightly report"})

    key = response.context["new_key"]
    assert key in response.text
    assert "shown only this once" in response.text
    later = client.get(reverse("calculator:api-tokens"))
    assert key not in later.text
    assert "nightly report" in later.text
    mode("login")
    client.logout()
    assert client.get(API_URL, headers=bearer(key)).status_code == 200


def test_a_user_revokes_their_own_token_only(client, alice):
    mine = ApiToken.issue(alice, "mine")[0]
    bob = User.objects.create_user("bob")
    theirs = ApiToken.issue(bob, "theirs")[0]
    client.force_login(alice)

    revoke = "calculator:api-token-revoke"
    assert client.post(reverse(revoke, args=[theirs.pk])).status_code == 404
    assert client.post(reverse(revoke, args=[mine.pk])).status_code == 302
    assert list(ApiToken.objects.all()) == [theirs]


def test_staff_create_a_token_for_a_user_in_the_admin_and_see_it_once(admin_client, alice):
    response = admin_client.post(
        reverse("admin:calculator_apitoken_add"), {"user": alice.pk, "name": "CI job"}
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert token.user == alice and token.name == "CI job"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key in response.content.decode()
    listing = admin_client.get(reverse("admin:calculator_apitoken_changelist"))
    assert key not in listing.content.decode()
    assert token.shown in listing.content.decode()


def test_staff_revoke_a_token_in_the_admin(admin_client, alice):
    token = ApiToken.issue(alice, "old")[0]
    url = reverse("admin:calculator_apitoken_delete", args=[token.pk])
    admin_client.post(url, {"post": "yes"})
    assert not ApiToken.objects.exists()


# Section: a token opens the API and nothing else (issue 17: a read-only script's
# token used to open every page, mint a second token and open the admin)


@pytest.fixture
def staff() -> User:
    return User.objects.create_user("staff", password=PASSWORD, is_staff=True, is_superuser=True)


@pytest.mark.parametrize("access", ["open", "login", "proxy"])
@pytest.mark.parametrize(
    "path", ["/", "/plan/", "/scenarios/", "/accounts/tokens/", "/admin/", "/admin/auth/user/"]
)
def test_a_token_signs_nobody_in_outside_the_api(client, mode, staff, access, path):
    mode(access)
    response = client.get(path, headers=bearer(issue(staff)))

    if access == "open" and not path.startswith(("/accounts/", "/admin/")):
        # Open pages stay open, to nobody in particular: the token added nothing.
        assert response.status_code == 200
        assert response.wsgi_request.user.is_anonymous
    elif access == "open":  # the admin and the token page want a session
        assert response.status_code == 302
        assert "login/" in response["Location"]
    else:
        assert response.status_code == 401
        assert "only the JSON API under /api/" in response.json()["error"]
    assert ApiToken.objects.get().last_used_at is None  # not even looked up


@pytest.mark.parametrize("access", ["open", "login"])
def test_a_token_cannot_mint_a_token_even_with_a_csrf_cookie(mode, alice, access):
    mode(access)
    key = issue(alice)
    client = Client(enforce_csrf_checks=True)
    client.get("/healthz")
    client.get(LOGIN_URL)  # the sign-in page sets the CSRF cookie, as a browser gets it
    csrf = client.cookies["csrftoken"].value

    response = client.post(
        reverse("calculator:api-tokens"),
        {"name": "second", "csrfmiddlewaretoken": csrf},
        headers=bearer(key),
    )

    assert response.status_code in (302, 401)
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["script"]


def test_a_staff_token_cannot_create_a_user_in_the_admin(client, mode, staff):
    mode("login")
    key = issue(staff)
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "mallory", "password1": PASSWORD, "password2": PASSWORD},
        headers=bearer(key),
    )
    assert response.status_code in (302, 401, 403)
    assert not User.objects.filter(username="mallory").exists()


@pytest.mark.parametrize("access", ["open", "login"])
def test_a_token_does_not_save_a_scenario_or_a_plan(client, mode, alice, access):
    mode(access)
    headers = bearer(issue(alice))
    client.post(reverse("calculator:scenario-save"), {**DEFAULTS, "name": "x"}, headers=headers)
    client.post(reverse("calculator:plan-save"), {"model": "llama-3.1-8b"}, headers=headers)
    from calculator.models import Plan, Scenario

    # Open mode saves anonymously (anyone may); never as the token's user.
    assert not Scenario.objects.filter(author=alice).exists()
    assert not Plan.objects.filter(author=alice).exists()
    if access == "login":
        assert not Scenario.objects.exists() and not Plan.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/../accounts/tokens/",
        "/api/%2e%2e/accounts/tokens/",
        "//api/estimate",
        "/API/estimate",
        "/apix/estimate",
        "/accounts/tokens/?next=/api/",
    ],
)
def test_forged_paths_do_not_stretch_a_tokens_reach(client, mode, alice, path):
    mode("login")
    response = client.get(path, headers=bearer(issue(alice)))
    # /api/../ is looked up as written (no route: 404), never as the token page.
    assert response.status_code in (401, 404)
    assert "api-tokens" not in response.text


@pytest.mark.parametrize(
    "header",
    ["bearer {key}", "BEARER {key}", "Bearer  {key} ", "Bearer {key}\t"],
)
def test_a_token_opens_the_api_whatever_the_schemes_case_and_spacing(client, mode, alice, header):
    mode("login")
    key = issue(alice)
    response = client.get(API_URL, headers={"Authorization": header.format(key=key)})
    assert response.status_code == 200


def test_the_read_only_exports_want_a_session_not_a_token(client, mode, alice, make_scenario):
    """Permalinks' JSON and CSV are not under /api/: in login mode a token no longer
    opens them (issue 17); a signed-in session still does."""
    mode("login")
    scenario = make_scenario()
    headers = bearer(issue(alice))

    urls = (f"/s/{scenario.public_id}.json", f"/s/{scenario.public_id}.csv", "/scenarios.csv")
    for url in urls:
        assert client.get(url, headers=headers).status_code == 401, url
    client.force_login(alice)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_token_does_not_save_without_a_browsers_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("calculator:scenario-save"), {**DEFAULTS, "name": "x"}, headers=bearer(issue(alice))
    )
    assert response.status_code == 403


# Section: edges the mutation run found (issue 24)


def test_a_proxy_name_exactly_as_long_as_a_username_signs_in(client, mode):
    mode("proxy")
    name = "x" * 150  # USERNAME_MAX_LENGTH: the longest name a User can hold
    response = client.get("/", headers={"X-Forwarded-User": name})
    assert response.status_code == 200
    assert User.objects.filter(username=name).exists()


@pytest.mark.parametrize("remote_user", [None, "", "   "])
def test_the_proxy_backend_signs_in_nobody_for_an_empty_name(rf, mode, remote_user):
    from calculator.access import ProxyUserBackend

    mode("proxy")
    assert ProxyUserBackend().authenticate(rf.get("/"), remote_user) is None
    assert not User.objects.exists()


@pytest.mark.parametrize("access", ["open", "login", "proxy"])
def test_the_proxy_backend_finds_a_sessions_user_in_proxy_mode_only(mode, alice, access):
    from calculator.access import ProxyUserBackend

    mode(access)
    found = ProxyUserBackend().get_user(alice.pk)
    assert found == (alice if access == "proxy" else None)


def test_a_proxy_session_is_kept_not_started_again_on_each_request(client, mode):
    mode("proxy")
    client.get("/", headers={"X-Forwarded-User": "carol"})
    first = client.session.session_key
    client.get("/", headers={"X-Forwarded-User": "carol"})
    assert client.session.session_key == first


def test_a_refused_token_gets_the_whole_bearer_challenge(client, mode, alice):
    mode("login")
    response = client.get(API_URL, headers=bearer("calc_not-a-token"))
    assert response["WWW-Authenticate"] == 'Bearer realm="calculator", error="invalid_token"'
    assert response.json()["error"] == (
        "This API token is not valid: revoked, mistyped or its user deactivated."
    )
    # Without a token: the challenge names the realm and no error (RFC 6750, section 3).
    response = client.get(API_URL)
    assert response["WWW-Authenticate"] == 'Bearer realm="calculator"'


def test_the_401s_say_where_a_token_works_and_how_to_get_one(client, mode, alice):
    mode("login")
    response = client.get("/", headers=bearer(issue(alice)))
    assert response.json()["error"] == (
        "An API token opens only the JSON API under /api/; "
        "sign in with a browser for everything else."
    )
    response = client.get(API_URL)
    assert response.json()["error"] == (
        "Sign in, or send an API token: Authorization: Bearer <token> "
        "(create one at /accounts/tokens/)."
    )
