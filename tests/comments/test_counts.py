"""comment_counts: the per-track figure the catalog's stats use."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from tests.comments.support import delete_comment
from tests.factories import create_comment, create_track, member, set_user_fields
from tests.helpers import block
from veza.comments.repository import comment_counts


async def test_counts_cover_replies_and_leave_out_deleted_banned_and_blocked(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    fan = await member(app)
    banned = await member(app)
    blocker = await member(app)
    busy = await create_track(app, owner)
    quiet = await create_track(app, owner)
    first = await create_comment(app, fan, busy.id)
    await create_comment(app, owner, busy.id, parent_id=first.id)
    gone = await create_comment(app, fan, busy.id)
    await create_comment(app, banned, busy.id)
    assert (await delete_comment(client, fan, busy.id, str(gone.id))).status_code == 200
    await set_user_fields(app, banned.id, is_banned=True)
    assert (await block(client, blocker, fan)).status_code == 200
    unknown = uuid.uuid4()

    async with app.state.db.reader() as session:
        counts = await comment_counts(session, [busy.id, quiet.id, unknown])
        seen_by_blocker = await comment_counts(session, [busy.id], blocker.id)

    assert counts == {busy.id: 2, quiet.id: 0, unknown: 0}
    assert seen_by_blocker == {busy.id: 1}
