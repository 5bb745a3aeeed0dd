"""Single sign-on with OpenID Connect, on top of mozilla-django-oidc.

People are matched to their account by the e-mail their provider vouches for. Accounts come from the people
import: an e-mail nobody has here is refused (not given a new account), and so is someone who has left.
The provider's endpoints come from its discovery document unless they are set one by one.
"""

import logging
import threading
import time
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from people.permissions import NotVisible

logger = logging.getLogger(__name__)

DISCOVERY_TTL = 60 * 60  # seconds a discovery document is trusted before it is fetched again
GENERIC_FAILURE = "Single sign-on did not complete. Try again; if it keeps failing, tell HR."


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be fetched or is incomplete."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str


_discovery_cache = {}
_discovery_lock = threading.Lock()


def _discover(url):
    with _discovery_lock:
        cached = _discovery_cache.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery document at {url}: {error}") from error
    with _discovery_lock:
        _discovery_cache[url] = (time.monotonic() + DISCOVERY_TTL, document)
    return document


def provider():
    """The provider's endpoints: each from its setting when set, else from the discovery document."""
    explicit = {
        "issuer": settings.OIDC_OP_ISSUER,
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
    }
    if settings.OIDC_OP_DISCOVERY_URL and not all(explicit.values()):
        document = _discover(settings.OIDC_OP_DISCOVERY_URL)
        explicit = {name: value or document.get(name, "") for name, value in explicit.items()}
    missing = [name for name, value in explicit.items() if not value and name != "issuer"]
    if missing:
        raise ProviderUnavailable(f"no {', '.join(missing)} configured")
    return Provider(**explicit)


def sign_in_options(request):
    """Template context: which ways of signing in the sign-in page offers."""
    return {
        "sso_enabled": settings.OIDC_ENABLED,
        "sso_provider_name": settings.OIDC_PROVIDER_NAME,
        "password_sign_in": settings.PASSWORD_SIGN_IN,
    }


def _refuse(request, message):
    """Remember why sign-in was refused, for the callback view to say so on the sign-in page."""
    if request is not None:
        request.sso_refusal = message


class EmailOIDCBackend(OIDCAuthenticationBackend):
    """Signs in the one active person whose e-mail the provider vouches for."""

    def __init__(self, *args, **kwargs):
        # Endpoints are looked up when someone signs in, not here: Django builds this backend on every request
        # of a session signed in with it, and those requests must not depend on the provider being reachable.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or request is None or "code" not in request.GET:
            return None
        try:
            endpoints = provider()
        except ProviderUnavailable as error:
            logger.warning("single sign-on: %s", error)
            _refuse(request, GENERIC_FAILURE)
            return None
        self.issuer = endpoints.issuer
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks_uri
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, jwt.InvalidTokenError, ValueError) as error:
            logger.warning("single sign-on failed: %s", error)
            if not getattr(request, "sso_refusal", None):
                _refuse(request, GENERIC_FAILURE)
            return None

    def _verify_jws(self, payload, key):
        """The signature, and also that the token was issued by our provider for us (the library skips both)."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}")
        options = {"require": ["exp", "iat", "aud"]}
        if self.issuer:
            options["require"].append("iss")
        return jwt.decode(payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
                          issuer=self.issuer or None, options=options, leeway=60)

    def verify_claims(self, claims):
        if not claims.get("email"):
            _refuse(self.request, "Your company account did not share an e-mail address, so careerconv cannot "
                                  "tell who you are. Ask your IT team to release the e-mail claim.")
            return False
        if claims.get("email_verified") is False:
            _refuse(self.request, f"Your company account has not verified {claims['email']}.")
            return False
        return True

    def filter_users_by_claims(self, claims):
        email = claims["email"]
        users = self.UserModel.objects.filter(email__iexact=email)
        with_person = users.filter(person__isnull=False)
        # An account without a person (an administrator's, say) counts only when nobody in the organisation
        # has that e-mail.
        matches = with_person if with_person.exists() else users
        if not matches.exists():
            _refuse(self.request, f"No one with the e-mail {email} is in careerconv. Ask HR to add you.")
        elif matches.count() > 1:
            _refuse(self.request, f"More than one account has the e-mail {email}. Ask HR to sort it out.")
        else:
            user = matches.get()
            person = getattr(user, "person", None)
            if not user.is_active or (person is not None and not person.is_active):
                _refuse(self.request, "Your account here is no longer active. Ask HR if this is a mistake.")
                return self.UserModel.objects.none()
        return matches

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None and not getattr(self.request, "sso_refusal", None):
            _refuse(self.request, GENERIC_FAILURE)
        return user


@method_decorator(login_not_required, name="dispatch")
class SSOStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider to sign in."""

    def __init__(self, **kwargs):
        # The endpoint is looked up per request (from discovery, perhaps), not when the view is built.
        View.__init__(self, **kwargs)

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise NotVisible("Single sign-on is not turned on.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except ProviderUnavailable as error:
            logger.warning("single sign-on: %s", error)
            name = settings.OIDC_PROVIDER_NAME
            messages.error(request, f"{name[:1].upper()}{name[1:]} cannot be reached right now. "
                                    "Try again in a few minutes.")
            return redirect(settings.LOGIN_URL)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class SSOCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signs the person in, or says on the sign-in page why not."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise NotVisible("Single sign-on is not turned on.")
        if request.GET.get("error") and request.GET.get("state") not in request.session.get("oidc_states", {}):
            # Nobody started this sign-in here: a plain link must not sign the person out or show a refusal.
            return redirect(settings.LOGIN_REDIRECT_URL if request.user.is_authenticated else settings.LOGIN_URL)
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # A stale or replayed state (the back button, a second tab): start again rather than answer 400.
            logger.warning("single sign-on callback refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        if self.request.GET.get("error"):
            # The provider's own wording is not repeated: anyone can put text in this URL.
            message = f"Sign-in with {settings.OIDC_PROVIDER_NAME} was cancelled or refused."
        else:
            message = getattr(self.request, "sso_refusal", None) or GENERIC_FAILURE
        messages.error(self.request, message)
        return redirect(settings.LOGIN_URL)
