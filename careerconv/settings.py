"""Settings for careerconv, read from the environment (12-factor).

Every variable is documented in `.env.example`. Production differs from a laptop only by environment:
with DEBUG off, a missing SECRET_KEY or FIELD_ENCRYPTION_KEYS stops the process at start-up.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from careerconv.encryption import HOW_TO_GENERATE, parse_keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("CAREERCONV_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only for a laptop with DEBUG on: sessions signed with it are worthless elsewhere.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-" + "x" * 20

# Keys for encrypting private text at rest: the first encrypts, all decrypt (see careerconv/encryption.py).
# Like SECRET_KEY, production refuses to start without one: rows written without it could never be read back.
FIELD_ENCRYPTION_KEYS = parse_keys(env.str("FIELD_ENCRYPTION_KEYS", default=""))
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS must be set when DEBUG is off; {HOW_TO_GENERATE}")
    # Only for a laptop with DEBUG on: anything encrypted with it is as good as plain.
    FIELD_ENCRYPTION_KEYS = ["aW5zZWN1cmUtZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3I="]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Northwind Labs")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "axes",
    "rules",
    "careerconv",
    "people",
    "conversations",
]

MIDDLEWARE = [
    # First: every response, and every log line of a request, carries its request id.
    "careerconv.requestid.RequestIdMiddleware",
    # Before SecurityMiddleware and CommonMiddleware: the health check answers whatever the Host header and scheme
    # (a container's check calls http://127.0.0.1:8000), and it says nothing private.
    "careerconv.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "people.middleware.SignInRequiredMiddleware",
    "people.middleware.PersonMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees a failed login after every other middleware has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careerconv.urls"
WSGI_APPLICATION = "careerconv.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "conversations.context_processors.layout",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL in production and CI (percent-encode @ : / # in its password); without it,
# POSTGRES_HOST and the other POSTGRES_* parts (the compose file's way: a password is used as written, whatever
# characters it holds); without either, an SQLite file under var/.
if env.str("DATABASE_URL", default="") or not env.str("POSTGRES_HOST", default=""):
    DATABASES = {
        "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'careerconv.sqlite3'}"),
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env.str("POSTGRES_HOST"),
            "PORT": env.int("POSTGRES_PORT", default=5432),
            "NAME": env.str("POSTGRES_DB", default="careerconv"),
            "USER": env.str("POSTGRES_USER", default="careerconv"),
            "PASSWORD": env.str("POSTGRES_PASSWORD", default=""),
        }
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for a lock instead of failing at once.
    # WAL lets the web read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT spent longer compiling the participation dashboard's aggregates than running them
    # (0.1–0.75 s per statement at 10,000 people); none of the app's queries gain from it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # A database host that does not answer fails the request (and /healthz) in seconds instead of hanging it.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five wrong passwords for one username from one address lock that pair for 15 minutes. Only
# password attempts count (what can be guessed): single sign-on callbacks carry the provider's answer, and counting
# them per address would lock out everyone behind one office NAT.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "careerconv.signin.axes_username"
AXES_WHITELIST_CALLABLE = "careerconv.signin.not_a_password_attempt"

# Sessions end after two hours without a request.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers -----------------------------------------------------------------------------------------
SECURE_SSL = env.bool("SECURE_SSL", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
# Behind a TLS-terminating proxy (the compose file's web service), trust its scheme header.
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Internationalisation -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_PERSON_TIMEZONE = env.str("DEFAULT_PERSON_TIMEZONE", default="Europe/London")
# Feedback from colleagues: how many requests one person may have waiting for their answer, and how long after
# its date a request can still be answered.
FEEDBACK_OPEN_REQUESTS_LIMIT = env.int("FEEDBACK_OPEN_REQUESTS_LIMIT", default=5)
FEEDBACK_EXPIRES_AFTER_DAYS = env.int("FEEDBACK_EXPIRES_AFTER_DAYS", default=14)

# --- Static files ---------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------------------------------------------
# EMAIL_URL selects the transport (smtp://user:pass@host:port, smtp+tls://…, consolemail://);
# without it, each message is written as a file under var/mail/ (EMAIL_FILE_PATH).
_email = env.email_url("EMAIL_URL", default="filemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="careerconv <careerconv@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Reminders go out between these hours of the recipient's local day ("8-18": from 08:00 to 18:00).
REMINDER_SENDING_HOURS = tuple(int(hour) for hour in env.str("REMINDER_SENDING_HOURS", default="8-18").split("-"))
if len(REMINDER_SENDING_HOURS) != 2 or not 0 <= REMINDER_SENDING_HOURS[0] < REMINDER_SENDING_HOURS[1] <= 24:
    raise ImproperlyConfigured("REMINDER_SENDING_HOURS must look like 8-18 (from hour, to hour, 0 to 24).")

# --- Celery ---------------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # No server needed: kombu's filesystem transport passes messages through files under var/celery/.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that enqueues must not hang when the broker is down: give up quickly, the sweep catches up later.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Celery's file-backed scheduler, which also records each tick in the database for /healthz.
CELERY_BEAT_SCHEDULER = "careerconv.beat:RecordingScheduler"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "careerconv.heartbeat", "schedule": 30.0},
}
# Records when notes locked; the lock itself holds from the deadline whether or not this has run.
CELERY_BEAT_SCHEDULE["record-notes-locks"] = {"task": "conversations.record_notes_locks", "schedule": 15 * 60.0}
# The reminder sweep: idempotent, so a duplicate tick is harmless; a tick left in the queue past the next one is
# dropped (expires) instead of piling up while the worker is down.
REMINDER_SWEEP_SECONDS = env.float("REMINDER_SWEEP_SECONDS", default=120.0)
CELERY_BEAT_SCHEDULE["reminder-sweep"] = {
    "task": "conversations.sweep_reminders",
    "schedule": REMINDER_SWEEP_SECONDS,
    "options": {"expires": REMINDER_SWEEP_SECONDS},
}
# Invitations still pending this long after their change were not queued (broker down) or not sent: send them.
INVITATION_GRACE_SECONDS = env.int("INVITATION_GRACE_SECONDS", default=60)
INVITATION_SWEEP_SECONDS = env.float("INVITATION_SWEEP_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE["invitation-sweep"] = {"task": "conversations.send_missed_invitations",
                                            "schedule": INVITATION_SWEEP_SECONDS,
                                            "options": {"expires": INVITATION_SWEEP_SECONDS}}
# Partners' own calendars (conversations/calendars/): how often busy times are read, how old they may be when a
# booking page asks for a background read, when the partner is told they are stale, and the limits of a read.
CALENDAR_REFRESH_MINUTES = env.int("CALENDAR_REFRESH_MINUTES", default=30)
CALENDAR_REFRESH_ON_VIEW_MINUTES = env.int("CALENDAR_REFRESH_ON_VIEW_MINUTES", default=5)
CALENDAR_STALE_HOURS = env.int("CALENDAR_STALE_HOURS", default=12)
CALENDAR_TIMEOUT_SECONDS = env.float("CALENDAR_TIMEOUT_SECONDS", default=10.0)
CALENDAR_MAX_BYTES = env.int("CALENDAR_MAX_BYTES", default=10 * 1024 * 1024)
# Only tests reach calendars on 127.0.0.1; everywhere else loopback, private and link-local addresses are refused.
CALENDAR_ALLOW_LOCAL_ADDRESSES = False
CELERY_BEAT_SCHEDULE["calendar-refresh"] = {"task": "conversations.refresh_calendars", "schedule": 5 * 60.0,
                                            "options": {"expires": 5 * 60.0}}
# The same catch-up for the e-mails that tell colleagues they were asked for feedback.
CELERY_BEAT_SCHEDULE["feedback-request-sweep"] = {"task": "conversations.send_missed_feedback_requests",
                                                  "schedule": INVITATION_SWEEP_SECONDS,
                                                  "options": {"expires": INVITATION_SWEEP_SECONDS}}
# And for the e-mail copies of notifications (a proposal, shared notes, a new action).
CELERY_BEAT_SCHEDULE["notice-email-sweep"] = {"task": "conversations.send_missed_notice_emails",
                                              "schedule": INVITATION_SWEEP_SECONDS,
                                              "options": {"expires": INVITATION_SWEEP_SECONDS}}
# HR's participation figures are kept (conversations/participation/kept.py): every minute, the views in use that a
# change has made out of date are worked out again, and any view at least this old.
PARTICIPATION_MAX_AGE_MINUTES = env.int("PARTICIPATION_MAX_AGE_MINUTES", default=30)
CELERY_BEAT_SCHEDULE["participation-keep"] = {"task": "conversations.keep_participation", "schedule": 60.0,
                                              "options": {"expires": 60.0}}
CELERY_TIMEZONE = "UTC"

# --- Logging --------------------------------------------------------------------------------------------------
# LOG_FORMAT=json (the compose file's choice) writes one JSON object per line for a log shipper, each with the
# request id of the request it belongs to; plain is for people reading a terminal. python-json-logger rather than
# structlog: it is a formatter for the standard logging that Django, Celery and gunicorn already use, so their
# records come out as JSON without changing a line of the code that logs.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "careerconv.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
# Celery's worker and beat log through the same handler (and so as JSON) instead of installing their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Error reporting ------------------------------------------------------------------------------------------
# With SENTRY_DSN set, unhandled errors of web, worker and beat go to Sentry; without it nothing is sent anywhere.
# What people write must never leave: no request bodies, cookies or local variables, no personal data
# (careerconv.errors.scrub drops what the integrations would still attach).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from .errors import start_error_reporting

    start_error_reporting(dsn=SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))

for folder in (VAR_DIR, STATIC_ROOT, Path(EMAIL_FILE_PATH), CELERY_DATA_DIR / "queue", CELERY_DATA_DIR / "control"):
    folder.mkdir(parents=True, exist_ok=True)

# --- People: import, invitations, single sign-on --------------------------------------------------------------
# A people import runs in one transaction on a worker; its progress is kept outside that transaction, where the
# web processes (on any host) can read it: in Redis when there is one, else in files under var/ (one machine).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "progress")}
    ),
}
PEOPLE_IMPORT_MAX_MB = env.int("PEOPLE_IMPORT_MAX_MB", default=20)
# SCIM calls one provisioning token may make a minute; an identity provider's first sync of a large organisation
# sends thousands.
SCIM_RATE_LIMIT_PER_MINUTE = env.int("SCIM_RATE_LIMIT_PER_MINUTE", default=12_000)
# How long the link in an invitation works; a password reset link lasts PASSWORD_RESET_TIMEOUT (3 days).
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

# Single sign-on with OpenID Connect (mozilla-django-oidc). People are matched to their account by e-mail; accounts
# come from the people import, so an unknown e-mail is refused rather than given a new account.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your company account")
# The provider's discovery document (…/.well-known/openid-configuration) gives every endpoint; an endpoint set
# explicitly below wins over it.
OIDC_OP_DISCOVERY_URL = env.str("OIDC_OP_DISCOVERY_URL", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
# How the client secret reaches the token endpoint: register the same method at the provider.
OIDC_TOKEN_AUTH_METHOD = env.str("OIDC_TOKEN_AUTH_METHOD", default="client_secret_post")
if OIDC_TOKEN_AUTH_METHOD not in ("client_secret_basic", "client_secret_post"):
    raise ImproperlyConfigured("OIDC_TOKEN_AUTH_METHOD must be client_secret_basic or client_secret_post.")
OIDC_TOKEN_USE_BASIC_AUTH = OIDC_TOKEN_AUTH_METHOD == "client_secret_basic"
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "people:sso_callback"
# Password sign-in can be turned off only when single sign-on is on (nobody could sign in otherwise).
PASSWORD_SIGN_IN = env.bool("PASSWORD_SIGN_IN", default=True) or not OIDC_ENABLED
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "people.sso.EmailOIDCBackend"]
if not PASSWORD_SIGN_IN:
    AUTHENTICATION_BACKENDS = [b for b in AUTHENTICATION_BACKENDS if b != "django.contrib.auth.backends.ModelBackend"]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("people.sso.sign_in_options")
