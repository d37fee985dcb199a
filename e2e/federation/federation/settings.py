"""Django settings for one member of the test federation, chosen by FED_ROLE.

One settings module serves three processes, each with its own SQLite database in the data
directory: the trust anchor (`ta`), a SPID-style OpenID provider (`spid`) and a CIE-style one
(`cie`). They are separate processes, not one Django site, because the package picks "the"
provider of a site with `FederationEntityConfiguration.objects.filter(entity_type=
"openid_provider").first()` and "the" trust anchor with the first configuration that has
`federation_entity` metadata, and its provider profile (spid or cie) is a module-level setting:
one site can host one provider of one profile and nothing else that looks like an authority.

Environment (set by run.py):
  FED_ROLE      ta | spid | cie
  FED_DATA_DIR  the data directory: federation.json (entity ids, written by run.py), keys/,
                <role>.sqlite3, <role>.log
"""

import json
import os
from pathlib import Path

import aiohttp

ROLE = os.environ.get("FED_ROLE", "ta")
if ROLE not in ("ta", "spid", "cie"):
    raise RuntimeError(f"FED_ROLE must be ta, spid or cie, not {ROLE!r}")
DATA_DIR = Path(os.environ.get("FED_DATA_DIR", "")).resolve()
if not os.environ.get("FED_DATA_DIR"):
    raise RuntimeError("FED_DATA_DIR is required (run the harness through run.py)")

with open(DATA_DIR / "federation.json", encoding="utf-8") as f:
    FEDERATION = json.load(f)

#: This member's entity id (the trust anchor's, or a provider's).
ENTITY_ID = FEDERATION["trust_anchor"] if ROLE == "ta" else FEDERATION["providers"][ROLE]

# A throwaway key: the data directory is a test fixture, never a deployment.
SECRET_KEY = "test-federation-" + ROLE
# DEBUG also makes runserver serve the provider's static files (its login page's CSS and logos).
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "spid_cie_oidc.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "spid_cie_oidc.entity",
]
if ROLE == "ta":
    INSTALLED_APPS += ["spid_cie_oidc.authority"]
else:
    # The provider's templates extend Bootstrap Italia's base page (design-django-theme).
    INSTALLED_APPS += ["bootstrap_italia_template", "spid_cie_oidc.provider"]
INSTALLED_APPS += ["harness"]

AUTH_USER_MODEL = "spid_cie_oidc_accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
# No trailing-slash redirects: entity ids and endpoints are compared as exact strings.
APPEND_SLASH = False

ROOT_URLCONF = "federation.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / f"{ROLE}.sqlite3"),
        # register_rp may write while the server reads.
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every member listens on 127.0.0.1, and browsers scope cookies by host, not by port: the two
# providers (and Sportello itself) would overwrite each other's session and CSRF cookies.
SESSION_COOKIE_NAME = f"federation_{ROLE}_session"
CSRF_COOKIE_NAME = f"federation_{ROLE}_csrftoken"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"

# --- the federation (spid_cie_oidc.entity) -----------------------------------------------------
OIDCFED_DEFAULT_TRUST_ANCHOR = FEDERATION["trust_anchor"]
OIDCFED_TRUST_ANCHORS = [OIDCFED_DEFAULT_TRUST_ANCHOR]
# A provider resolves a relying party's trust chain only if the RP's entity configuration
# carries one of these trust marks, signed by its issuer (here the trust anchor).
OIDCFED_REQUIRED_TRUST_MARKS = FEDERATION["required_trust_marks"] if ROLE != "ta" else []
# Everything is plain HTTP on 127.0.0.1: fail fast rather than after the package's 12 s.
HTTPC_PARAMS = {
    "connection": {"ssl": False},
    "session": {"timeout": aiohttp.ClientTimeout(total=4)},
}

# --- the provider (spid_cie_oidc.provider) -----------------------------------------------------
# UserInfo is a JWS encrypted to the relying party's `use: enc` key with these (the package's
# defaults are RSA-OAEP and A256CBC-HS512; run.py --jwe-alg/--jwe-enc change them).
DEFAULT_JWE_ALG = FEDERATION["userinfo_encryption"]["alg"]
DEFAULT_JWE_ENC = FEDERATION["userinfo_encryption"]["enc"]
if ROLE != "ta":
    OIDCFED_PROVIDER_PROFILE = ROLE
    OIDCFED_DEFAULT_PROVIDER_PROFILE = ROLE
    OIDCFED_PROVIDER_SALT = "test-federation-" + ROLE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"default": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "default"}},
    "loggers": {
        "spid_cie_oidc": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "harness": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
