"""The refresh-token cookie: httpOnly, SameSite=Strict, Secure unless configured off."""

from __future__ import annotations

from fastapi import Response

from veza.config import Settings

# Sent only to the auth endpoints that read it (refresh, logout), never to the rest of the API.
REFRESH_COOKIE_PATH = "/api/v1/auth"


def set_refresh_cookie(
    response: Response, settings: Settings, token: str, max_age: int | None
) -> None:
    response.set_cookie(
        settings.auth.refresh_cookie_name,
        token,
        max_age=max_age,
        path=REFRESH_COOKIE_PATH,
        secure=settings.auth.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_refresh_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        settings.auth.refresh_cookie_name,
        path=REFRESH_COOKIE_PATH,
        secure=settings.auth.cookie_secure,
        httponly=True,
        samesite="strict",
    )
