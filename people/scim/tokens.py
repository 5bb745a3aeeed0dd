"""Bearer tokens for identity providers: made and rotated by HR, kept as hashes, checked and rate-limited per call."""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import caches
from django.db.models import Max

from people.models import ScimEvent, ScimToken

TOKEN_PREFIX = "ccscim_"


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_token(*, name, created_by, now):
    """A new token and its secret, which is never stored and must be shown now."""
    secret = _new_secret()
    token = ScimToken.objects.create(name=name, token_hash=_hash(secret), prefix=secret[:12],
                                     created_by=created_by, created_at=now)
    return token, secret


def rotate_token(*, token, now):
    """A new secret for the same token: the old one stops working at once."""
    secret = _new_secret()
    token.token_hash, token.prefix, token.rotated_at = _hash(secret), secret[:12], now
    token.save(update_fields=["token_hash", "prefix", "rotated_at"])
    return secret


def revoke_token(*, token, now):
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])


def authenticate(authorization):
    """The live token an `Authorization: Bearer …` header carries, else None."""
    scheme, _, secret = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return ScimToken.objects.filter(token_hash=_hash(secret.strip()), revoked_at__isnull=True).first()


def over_rate_limit(*, token, now):
    """Whether this call goes over the token's calls per minute. Counted in the shared cache (Redis when
    configured), so every web process counts against the same budget; a fixed one-minute window is enough to
    stop a runaway provider, which is all this is for."""
    cache = caches["progress"]
    key = f"scim-rate:{token.pk}:{int(now.timestamp()) // 60}"
    cache.add(key, 0, timeout=120)
    try:
        calls = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=120)
        calls = 1
    return calls > settings.SCIM_RATE_LIMIT_PER_MINUTE


def record_call(*, token, now, method, resource_type, resource_id, status):
    ScimEvent.objects.create(token=token, at=now, method=method, resource_type=resource_type,
                             resource_id=str(resource_id or "")[:64], status=status)


def last_used(tokens):
    """When each token was last used, from the audit of calls, in one query."""
    return dict(ScimEvent.objects.filter(token__in=tokens).order_by().values("token")
                .annotate(last=Max("at")).values_list("token", "last"))
