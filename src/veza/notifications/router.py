"""HTTP routes of the notifications domain (an addition to the contract, see CONFORMANCE.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from veza.auth.dependencies import CurrentUser
from veza.kit.dependencies import DbSession, Paging
from veza.kit.envelope import Envelope, ok
from veza.notifications import schemas, service

router = APIRouter()


@router.get(
    "/notifications",
    tags=["Notifications"],
    summary="List my notifications",
    description="The caller's notifications, newest activity first, grouped per kind and object, "
    "with the number still unread.",
    response_model_exclude_none=True,
)
async def get_notifications(
    user: CurrentUser,
    session: DbSession,
    paging: Paging,
    unread_only: Annotated[bool, Query(description="Only unread notifications")] = False,
) -> Envelope[schemas.NotificationPage]:
    return ok(await service.list_notifications(session, user, paging, unread_only=unread_only))


@router.post(
    "/notifications/read",
    tags=["Notifications"],
    summary="Mark notifications read",
    description="Marks some of the caller's notifications read (ids) or all of them (all=true).",
)
async def post_notifications_read(
    user: CurrentUser,
    session: DbSession,
    body: Annotated[schemas.MarkReadRequest, Body(description="ids, or all=true")],
) -> Envelope[schemas.MarkReadResult]:
    return ok(await service.mark_read(session, user, body))
