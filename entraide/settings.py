"""Settings of the board app: one module, every deployment choice read from the environment.

A value that cannot be understood stops the start with a message naming the variable, never a
silent fallback: a ministry's server that starts must be configured as its operators think.
"""

import datetime
import ipaddress
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_database(name: str, default: str) -> dj_database_url.DBConfig:
    raw = os.environ.get(name, default)
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a database URL: use postgres://user:password@host:5432/name "
            f"or sqlite:////absolute/path.sqlite3 ({exc})."
        ) from exc
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(
            f"{name} must point at PostgreSQL (postgres://…) or SQLite (sqlite:///…), not {engine or raw!r}."
        )
    if engine == "django.db.backends.postgresql":
        # No JIT compilation: the application's queries are short, and compiling one costs more than
        # running it (619 ms of the register's deep page at 20,000 resolutions, when its plan still
        # crossed jit_above_cost; none does now, this keeps it so).
        config.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    if engine == "django.db.backends.sqlite3":
        # Write transactions take the lock when they begin, so two workers signing the same minutes
        # queue up instead of both reading "approved" (PostgreSQL gets the same from SELECT … FOR UPDATE).
        config.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    return config


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"

# The demo: its data and accounts with published passwords (load_demo), its certificate authority
# (init_signing), and signing with the demo certificate. Refused unless DEBUG is on, or DEMO_ALLOWED=1 on
# a server kept for demonstrations.
DEMO_ALLOWED = env_bool("DEMO_ALLOWED", DEBUG)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "entraide.apps.AdminConfig",  # Django's admin on the project's site (its pickers)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    # Before django_tasks_db: its `db_worker` command is meetings' (a worker that outlives the database).
    "meetings",
    "django_tasks",
    "django_tasks_db",
    "django_guid",
    "health_check",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "decisions",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",  # first: every log line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Published files this server already knows, by their immutable address, as WhiteNoise static files.
    "meetings.pages.files.known_files_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "meetings.accounts.middleware.second_factor_middleware",
    "meetings.accounts.middleware.acting_user_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "meetings.pages.security.PagesCSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out sign-in with its own page
]

# --- Sign-in --------------------------------------------------------------------------------------------
# django-axes counts the failed sign-ins, on the admin's login and on the members' alike: after 5 for one
# account from one address, that pair is locked out for 15 minutes (a page in the user's language says
# so, status 429) and a right password is refused meanwhile; a success resets the count. Counting the
# pair, not the account alone, keeps a stranger from locking the president out. An administrator lifts a
# lockout at once in the admin (Axes › access attempts: delete the row) or with
# `python manage.py axes_reset_username <username>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The accounts that enter the record, administer the site or vouch for the minutes (staff, the
# secretariat, the president and the rapporteur) give a second factor after their password: a code of an
# authenticator app (TOTP, enrolled at the first sign-in, with ten one-time recovery codes). Until then
# they reach nothing but that step (meetings/accounts/second_factor.py).
OTP_TOTP_ISSUER = "Entraide Nationale"
# The admin never shows a device's key or QR code: nobody but its person could then compute its codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Or a passkey (the phone's or the computer's, or a security key: WebAuthn), where the browser offers it,
# always after the password (no sign-in with the passkey alone). The relying party is the public address,
# SITE_URL: a passkey is good on that site only (set below, once SITE_URL is read).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "التعاون الوطني"
# An invitation's or a reset's link to choose a password: spent once used, void after two days.
PASSWORD_RESET_TIMEOUT = 2 * 24 * 3600
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "meetings.pages.errors.locked_out"  # locked_out.html, 429, with Retry-After
# Behind a proxy or load balancer, the client's address is the one it adds to X-Forwarded-For:
# AXES_IPWARE_PROXY_COUNT=1 for one proxy in front (never more than there are, or a client could choose
# the address it is counted under).
# django-ipware reads the header; its own count is of the proxies listed in it besides the client, one
# fewer than there are: the last proxy is the connection's address (REMOTE_ADDR), not in the header. An
# address a client writes into the header itself stays to the left of its own and is never taken.
_PROXIES = int(os.environ.get("AXES_IPWARE_PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = _PROXIES - 1 if _PROXIES else None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if _PROXIES else ["REMOTE_ADDR"]

# --- Logging --------------------------------------------------------------------------------------------
# To stderr (the service manager or the container keeps it), every line with its request's id
# (X-Request-ID from the proxy, or a new one, sent back in the response): a server error is logged with
# its traceback, by Django's «django.request» logger. LOG_FORMAT=json writes one JSON object per line.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use text or json.")
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": False, "RETURN_HEADER": True}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(correlation_id)s %(name)s %(message)s",
            "rename_fields": {"correlation_id": "request_id", "levelname": "level", "asctime": "time"},
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own: requests that fail (4xx as warnings, 5xx as errors with their traceback).
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "django_guid": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # its start-up banner; lockouts are logged as warnings
    },
}

ROOT_URLCONF = "entraide.urls"
WSGI_APPLICATION = "entraide.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
# The database as the role that owns its tables, for `manage.py backup` and `restore` only
# (meetings.operations.backup): the application's role may neither read every table nor create them
# (docs/database-roles.md).
if os.environ.get("BACKUP_DATABASE_URL"):
    DATABASES["backup"] = env_database("BACKUP_DATABASE_URL", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The task queue: tasks are rows of this database, run by `manage.py db_worker` (beside the development
# server in `make run`, on every application server in production).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task ready this many minutes and still not taken means no worker runs: /health/queue/ answers 503 and
# the secretariat's home page says it (the longest a task takes is a signature's, a few seconds).
QUEUE_WAIT_ALERT_MINUTES = int(os.environ.get("QUEUE_WAIT_ALERT_MINUTES", "10"))

# A form sent without its security token: the project's page, in the reader's language.
CSRF_FAILURE_VIEW = "meetings.pages.errors.csrf_failure"


def env_email(name: str, default: str) -> dict:
    """EMAIL_URL as Django's e-mail settings: smtp://user:password@host:587?tls=True (or smtps://…
    for TLS from the first byte), file:///absolute/folder for one file per message, console://."""
    raw = os.environ.get(name, default)
    if raw.startswith("file://"):
        folder = raw.removeprefix("file://")
        if not folder.startswith("/"):
            raise ImproperlyConfigured(f"{name}={raw!r}: a file:// URL names an absolute folder.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": folder,
        }
    config = dj_email_url.parse(raw)
    if "EMAIL_BACKEND" not in config or (config["EMAIL_HOST"] is None and "smtp" in config["EMAIL_BACKEND"]):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a mail URL: use smtp://user:password@host:587?tls=True, "
            "smtps://…, file:///absolute/folder or console://."
        )
    # A mail server that does not answer is tried again later by the worker, never waited for long.
    config["EMAIL_TIMEOUT"] = config["EMAIL_TIMEOUT"] or 20
    return {key: value for key, value in config.items() if value is not None}


# Mail: to files under var/mail/ in development (the admin lists every message), to the server that
# EMAIL_URL names in production (the local one by default).
vars().update(  # as dj-email-url's own documentation does
    env_email("EMAIL_URL", f"file://{BASE_DIR / 'var' / 'mail'}" if DEBUG else "smtp://localhost:25")
)
# The sender of every message; replies go to the board's secretariat (Board.secretariat_email).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "التعاون الوطني <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Arabic first: `/` is Arabic, `/fr/` French.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", "العربية"), ("fr", "Français")]
# The project's catalogues, which `make messages` extracts from the code, then the overrides of Django's
# own strings (the admin's), which extraction would drop from the first: entraide/locale_overrides/*/django.po
# says why, and why its folder is not named `locale`. The first entry wins where both translate a string.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "entraide" / "locale_overrides"]
FORMAT_MODULE_PATH = ["entraide.formats"]
USE_I18N = True
TIME_ZONE = "Africa/Casablanca"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm registry at setup (package.json), never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/noto-naskh-arabic", BASE_DIR / "node_modules" / "@fontsource" / "noto-naskh-arabic"),
]


def env_storage(name: str) -> dict:
    """The stored files' storage: a folder of this server (MEDIA_ROOT) unless `name` names an
    S3-compatible bucket, s3://ACCESS_KEY:SECRET_KEY@host:port/bucket[/prefix][?region=…&secure=0]
    (https unless secure=0), which every application server then shares."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(raw)
    bucket, _slash, prefix = parts.path.lstrip("/").partition("/")
    query = dict(item.partition("=")[::2] for item in parts.query.split("&") if item)
    if parts.scheme != "s3" or not parts.hostname or not bucket or not parts.username or not parts.password:
        raise ImproperlyConfigured(
            f"{name} is not an S3 URL: use s3://ACCESS_KEY:SECRET_KEY@host:port/bucket[/prefix]"
            "[?region=…&secure=0]."
        )
    scheme = "http" if query.get("secure") == "0" else "https"
    endpoint = f"{scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": endpoint,
            "bucket_name": bucket,
            "location": prefix.strip("/"),
            "access_key": unquote(parts.username),
            "secret_key": unquote(parts.password),
            "region_name": query.get("region", "us-east-1"),
            # A name already taken gets another, as in a folder: a signed file is never written over.
            "file_overwrite": False,
            # No public ACL: the objects stay as private as the bucket; the app reads them and serves them
            # itself (the members' check, the strong ETag).
            "default_acl": None,
            "addressing_style": "path",  # bucket in the path: what self-hosted S3 servers answer
        },
    }


STORAGES = {
    "default": env_storage("STORAGE_URL"),
    # Each file under a name with its content's hash, compressed, once collected (entraide.static_files).
    "staticfiles": {"BACKEND": "entraide.static_files.HashedWhereCollected"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"


def env_cache(name: str) -> dict:
    """The cache (the rendered published pages, the count of /verify/ checks per address): this
    process's memory unless `name` names a Redis server, redis://[:password@]host:6379/0 (or rediss://),
    which every application server then shares."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if urlsplit(raw).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a Redis URL: use redis://host:6379/0.")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": raw}


CACHES = {"default": env_cache("CACHE_URL")}
# The sessions are rows of the database (Django's default), which every server shares.

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "meetings:member_login"
LOGIN_REDIRECT_URL = "meetings:member_sessions"

# --- HTTPS -------------------------------------------------------------------------------------------
# In production the site is HTTPS only: plain HTTP is redirected, browsers are told to come back over
# HTTPS only (HSTS, a year, subdomains included: the institution's domain serves nothing in clear), and
# cookies travel over HTTPS only. Behind a proxy or load balancer that ends TLS,
# SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https" tells Django which requests came over HTTPS (the
# proxy must set that header itself, and drop one sent by the client).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/"]  # the load balancer's and the monitoring's checks talk plain HTTP
SECURE_HSTS_SECONDS = 0 if DEBUG else 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)


def env_header(name: str) -> tuple[str, str] | None:
    """«X-Forwarded-Proto: https» as Django's SECURE_PROXY_SSL_HEADER, ("HTTP_X_FORWARDED_PROTO", "https")."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, colon, value = raw.partition(":")
    if not colon or not header.strip() or not value.strip():
        raise ImproperlyConfigured(
            f"{name}={raw!r}: write the header and the value, «X-Forwarded-Proto: https»."
        )
    return "HTTP_" + header.strip().upper().replace("-", "_"), value.strip()


SECURE_PROXY_SSL_HEADER = env_header("SECURE_PROXY_SSL_HEADER")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Every page's scripts, styles, fonts and images come from the site itself, none written in the page:
# an injected <script> or style never runs. Images may be data: URLs (the minutes' QR code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Upload guard for every form: above this, Django refuses the request body before any view reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Django's 1,000 fields would cut the follow-up screen at 250 open resolutions (4 fields each: a status
# and a note, with the values their user was shown); the memory limit above still bounds the request.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# How many files one address may submit to /verify/ in a minute (each check takes a core for seconds).
VERIFICATIONS_PER_MINUTE = int(os.environ.get("VERIFICATIONS_PER_MINUTE", "6"))

# The public address of the site, printed in the minutes' QR code (the verification page's URL).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} must start with https:// (or http:// for development)."
    )
# The passkeys' relying party: the public address's host name, and the origin the browser signs. A
# browser takes no passkey for an IP address: a development SITE_URL on one (make run's 127.0.0.1) offers
# them on http://localhost, same port (meetings.accounts.second_factor offers them on the relying party's
# host only).
_site = urlsplit(SITE_URL)
try:
    ipaddress.ip_address(_site.hostname or "")
except ValueError:
    OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = _site.hostname, [SITE_URL]
else:
    OTP_WEBAUTHN_RP_ID = "localhost"
    OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"http://localhost{f':{_site.port}' if _site.port else ''}"]

# A PNG or SVG file printed at the top of the minutes; none by default.
INSTITUTION_LOGO = os.environ.get("INSTITUTION_LOGO", "")
if INSTITUTION_LOGO and not Path(INSTITUTION_LOGO).is_file():
    raise ImproperlyConfigured(f"INSTITUTION_LOGO={INSTITUTION_LOGO!r} is not a file.")

INSTITUTION = {
    "country": _("Kingdom of Morocco"),
    "ministry": _("Ministry of Solidarity, Social Integration and Family"),
    "name": _("Entraide Nationale"),
}

# --- Signing ----------------------------------------------------------------------------------------
# The PAdES signature of the minutes (meetings/seal/signing.py). Only paths are read here: the files need not
# exist yet (tests and `migrate` run before `init_signing` makes the demo ones); signing and verifying
# name the variable when its file is missing.
SIGNING_DIR = BASE_DIR / "var" / "signing"
# Public on purpose: it protects only the demo certificate that `init_signing` makes.
SIGNING_DEMO_PASSPHRASE = "demo-signing-passphrase"


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.strip():
        raise ImproperlyConfigured(f"{name} is empty: give the path of a file, or leave it unset.")
    return Path(raw.strip())


def env_http_url(name: str) -> str:
    from urllib.parse import urlsplit  # here rather than at the top: this block stays in one piece

    raw = os.environ.get(name, "").strip()
    parts = urlsplit(raw)
    if raw and (parts.scheme not in {"http", "https"} or not parts.hostname):
        raise ImproperlyConfigured(f"{name}={raw!r} is not an http:// or https:// URL.")
    return raw


SIGNING_PKCS12 = env_path("SIGNING_PKCS12", SIGNING_DIR / "institution.p12")
SIGNING_TRUST_ROOTS = env_path("SIGNING_TRUST_ROOTS", SIGNING_DIR / "ca.pem")


def env_signing_passphrase() -> str:
    passphrase = os.environ.get("SIGNING_PASSPHRASE")
    if passphrase is None:
        # The demo passphrase goes with the demo file only: an operator who points SIGNING_PKCS12 at the
        # institution's certificate in production must give its passphrase too.
        if "SIGNING_PKCS12" in os.environ and not DEBUG:
            raise ImproperlyConfigured("SIGNING_PASSPHRASE must be set when SIGNING_PKCS12 is (or DEBUG=1).")
        return SIGNING_DEMO_PASSPHRASE
    if not passphrase:
        raise ImproperlyConfigured("SIGNING_PASSPHRASE is empty: a signing key is never stored unprotected.")
    return passphrase


SIGNING_PASSPHRASE = env_signing_passphrase()
# The demo PKI's responder (meetings.seal.demo_pki: OCSP, CRL, timestamps), whose address init_signing writes
# into the demo certificates; `make run` serves it (`manage.py serve_demo_pki`).
SIGNING_DEMO_PKI_URL = env_http_url("SIGNING_DEMO_PKI_URL") or "http://127.0.0.1:8790"
# The RFC 3161 timestamp authority of the signatures (PAdES B-LTA needs one): the accredited provider's
# in production; the demo PKI's by default where the demo is allowed.
SIGNING_TSA_URL = env_http_url("SIGNING_TSA_URL") or (
    SIGNING_DEMO_PKI_URL + "/entraide/tsa/tsa" if DEMO_ALLOWED else ""  # meetings.seal.demo_pki.TSA_PATH
)


def next_port(url: str) -> str:
    """The address of the port after `url`'s, on the same host."""
    from urllib.parse import urlsplit  # here rather than at the top: this block stays in one piece

    parts = urlsplit(url)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return f"{parts.scheme}://{host}:{(parts.port or (443 if parts.scheme == 'https' else 80)) + 1}"


# The remote signing service (Cloud Signature Consortium API v1) where the president and the rapporteur
# sign with their personal keys: the accredited provider's in production. Where the demo is allowed, the
# demo's (meetings.seal.signing_service), which `serve_demo_pki` serves beside the responder, on the port
# after the responder's by default (http://127.0.0.1:8791): a responder moved to a free port (the tests',
# CI's) takes its service along.
SIGNING_SERVICE_URL = env_http_url("SIGNING_SERVICE_URL") or (
    next_port(SIGNING_DEMO_PKI_URL) if DEMO_ALLOWED else ""
)
# /verify/ asks the CA online (the OCSP responder and CRL its certificate names) whether the seal
# certificate of a file it checks has been revoked since it signed.
VERIFY_REVOCATION_ONLINE = env_bool("VERIFY_REVOCATION_ONLINE", True)
# --- end of Signing ---------------------------------------------------------------------------------

# The most pages a rendering of the minutes takes: a real session's minutes print on 10 to 40; the text
# fields' limits (their help texts) bound the rest. Past it the rendering stops, and says why.
MINUTES_MAX_PAGES = int(os.environ.get("MINUTES_MAX_PAGES", "150"))

# How many /verify/ checks run at once on this server, whatever its processes (one core each), and the
# folder of their lock files, and how long a check waits for its turn (meetings.minutes.verification).
VERIFICATIONS_AT_ONCE = int(os.environ.get("VERIFICATIONS_AT_ONCE", "2"))
VERIFICATION_WAIT_SECONDS = 10
VERIFICATION_LOCKS = os.environ.get("VERIFICATION_LOCKS", str(BASE_DIR / "var" / "locks"))
