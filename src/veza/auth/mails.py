"""The mails the accounts domain sends: verification, password reset, password changed.

Their links point at the web app (``VEZA_SERVER__FRONTEND_URL``) or, when none is set, at the
API's own minimal pages (``<public_url>/account/...``, platform/pages.py). Each link stands on
a line of its own.
"""

from __future__ import annotations

from urllib.parse import urlencode

from veza.config import Settings
from veza.kit.mail import Mail

VERIFY_EMAIL_PAGE = "/verify-email"
RESET_PASSWORD_PAGE = "/reset-password"
# Where the API serves those two pages itself, under its public URL.
BUILT_IN_PAGES_PREFIX = "/account"


def _link(settings: Settings, page: str, token: str) -> str:
    # The page reads the token from the link and posts it to the API (see AUTH_FLOWS.md).
    base = settings.server.frontend_url.rstrip("/")
    if not base:
        base = settings.server.public_url.rstrip("/") + BUILT_IN_PAGES_PREFIX
    return f"{base}{page}?{urlencode({'token': token})}"


def verification_mail(settings: Settings, to: str, username: str, token: str) -> Mail:
    link = _link(settings, VERIFY_EMAIL_PAGE, token)
    text = (
        f"Hello {username},\n\n"
        "Please confirm your email address for your Veza account by opening this link "
        "(valid for 24 hours):\n\n"
        f"{link}\n\n"
        "If you did not create this account, you can ignore this message.\n"
    )
    return Mail(to=to, subject="Confirm your email address", text=text)


def password_reset_mail(settings: Settings, to: str, username: str, token: str) -> Mail:
    link = _link(settings, RESET_PASSWORD_PAGE, token)
    text = (
        f"Hello {username},\n\n"
        "Someone asked to reset the password of your Veza account. To choose a new one, open "
        "this link (valid for 1 hour, usable once):\n\n"
        f"{link}\n\n"
        "If it was not you, ignore this message: your password stays the same.\n"
    )
    return Mail(to=to, subject="Reset your password", text=text)


def password_changed_mail(to: str, username: str) -> Mail:
    text = (
        f"Hello {username},\n\n"
        "The password of your Veza account was just reset, and every session was signed out.\n"
        "If it was not you, reset it again right away and contact the administrators.\n"
    )
    return Mail(to=to, subject="Your password was changed", text=text)
