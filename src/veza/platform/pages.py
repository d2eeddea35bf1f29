"""The API's own minimal pages for the two links mailed to people: confirm an email address and
choose a new password. Mails point here when no web app URL is set (auth/mails.py).

Plain HTML forms posting back to the page, no script: a GET only shows the form (mail
scanners open links, and must not spend a single-use token); the POST calls the accounts
services that POST /auth/verify-email and POST /auth/password/reset call, in a transaction of
its own, so a refusal rolls back exactly as it does through the API. Everything echoed is
escaped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import HTMLResponse

from veza.auth import account, service
from veza.auth.context import AuthContext
from veza.auth.dependencies import get_auth_context
from veza.auth.mails import BUILT_IN_PAGES_PREFIX, RESET_PASSWORD_PAGE, VERIFY_EMAIL_PAGE
from veza.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from veza.kit.db import run_after_commit
from veza.kit.errors import VezaError

router = APIRouter(prefix=BUILT_IN_PAGES_PREFIX, include_in_schema=False)

_VERIFY_TITLE = "Confirm your email address"
_RESET_TITLE = "Choose a new password"
# Relative to the page's own URL, so the pages also work behind a proxy's path prefix.
_VERIFY_ACTION = VERIFY_EMAIL_PAGE.lstrip("/")
_RESET_ACTION = RESET_PASSWORD_PAGE.lstrip("/")

FormField = Annotated[str, Form()]
_PASSWORD_INPUT = (
    f'type="password" required minlength="{MIN_PASSWORD_LENGTH}" '
    f'maxlength="{MAX_PASSWORD_LENGTH}" autocomplete="new-password"'
)
_NEW_LINK = "<p>The link may have expired or been used already: ask for a new one.</p>\n"


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)} - Veza</title>\n</head>\n"
        f"<body>\n<main>\n<h1>{escape(title)}</h1>\n{body}</main>\n</body>\n</html>\n"
    )
    # The page may carry a token: never kept by a cache.
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _token_field(token: str) -> str:
    if token:
        return f'<input type="hidden" name="token" value="{escape(token)}">\n'
    return (
        "<p><label>The code after <code>token=</code> in the link of the mail<br>\n"
        '<input name="token" required autocomplete="off"></label></p>\n'
    )


def _refusal(error: VezaError) -> str:
    items = "".join(
        f"<li>{escape(str(item.get('field', '')))}: {escape(str(item.get('message', '')))}</li>\n"
        for item in error.details
    )
    listed = f"<ul>\n{items}</ul>\n" if items else ""
    return f'<p role="alert">{escape(error.message)}</p>\n{listed}'


def _verify_form(token: str) -> str:
    return (
        f'<form method="post" action="{_VERIFY_ACTION}">\n{_token_field(token)}'
        '<button type="submit">Confirm my email address</button>\n</form>\n'
    )


def _reset_form(token: str) -> str:
    return (
        f'<form method="post" action="{_RESET_ACTION}">\n{_token_field(token)}'
        f"<p><label>New password ({MIN_PASSWORD_LENGTH} characters or more)<br>\n"
        f'<input name="new_password" {_PASSWORD_INPUT}></label></p>\n'
        "<p><label>The same again<br>\n"
        f'<input name="new_password_confirmation" {_PASSWORD_INPUT}></label></p>\n'
        '<button type="submit">Change my password</button>\n</form>\n'
    )


async def _run(request: Request, action: Callable[[AuthContext], Awaitable[object]]) -> None:
    """``action`` in a write transaction of its own: committed (and its mails sent) when it
    succeeds, rolled back when it raises. What it defers until after the response runs once
    the transaction has committed (verifying and resetting defer nothing that timing could
    reveal)."""
    deferred = BackgroundTasks()
    # A session like a request's (kit.db.get_db_session): the auth services may commit their
    # reads before hashing a password, so no transaction context manager wraps them.
    async with request.app.state.db.writer() as session:
        try:
            await action(await get_auth_context(request, session, deferred))
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
    await run_after_commit(session)
    await deferred()


@router.get(VERIFY_EMAIL_PAGE)
async def verify_email_page(token: Annotated[str, Query()] = "") -> HTMLResponse:
    intro = "<p>One click confirms the email address of your Veza account.</p>\n"
    return _page(_VERIFY_TITLE, intro + _verify_form(token))


@router.post(VERIFY_EMAIL_PAGE)
async def verify_email_submit(request: Request, token: FormField = "") -> HTMLResponse:
    token = token.strip()
    if not token:
        alert = '<p role="alert">The link is incomplete: open the whole link of the mail.</p>\n'
        return _page(_VERIFY_TITLE, alert + _verify_form(token), 400)
    try:
        await _run(request, lambda ctx: service.verify_email(ctx, token, None))
    except VezaError as error:
        return _page(_VERIFY_TITLE, _refusal(error) + _NEW_LINK, error.status_code)
    return _page(_VERIFY_TITLE, "<p>Your email address is confirmed. You can log in now.</p>\n")


@router.get(RESET_PASSWORD_PAGE)
async def reset_password_page(token: Annotated[str, Query()] = "") -> HTMLResponse:
    return _page(_RESET_TITLE, _reset_form(token))


@router.post(RESET_PASSWORD_PAGE)
async def reset_password_submit(
    request: Request,
    token: FormField = "",
    new_password: FormField = "",
    new_password_confirmation: FormField = "",
) -> HTMLResponse:
    token = token.strip()
    if new_password != new_password_confirmation:
        alert = '<p role="alert">The two passwords differ.</p>\n'
        return _page(_RESET_TITLE, alert + _reset_form(token), 400)
    try:
        await _run(request, lambda ctx: account.reset_password(ctx, token, new_password))
    except VezaError as error:
        # A refused password leaves the link usable: the form comes back with it.
        more = _reset_form(token) if error.details else _NEW_LINK
        return _page(_RESET_TITLE, _refusal(error) + more, error.status_code)
    done = (
        "<p>Your password is changed and every session was signed out. "
        "Log in with the new password.</p>\n"
    )
    return _page(_RESET_TITLE, done)
