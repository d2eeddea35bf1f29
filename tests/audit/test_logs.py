"""GET /audit/logs, /audit/activity and /audit/stats: admins read everything, others their own
rows; filters, dates (YYYY-MM-DD, both days included, bad ones 400) and pages."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.audit.support import at, audit_row
from tests.factories import admin, create_track, member
from tests.helpers import API, data, error_code


async def test_users_read_their_own_rows_and_admins_everyones(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob, root = await member(app), await member(app), await admin(app)
    await audit_row(app, "track.update", alice.id, resource="track", ip_address="10.1.1.1")
    await audit_row(app, "track.update", bob.id, resource="track", ip_address="10.2.2.2")
    own = data(await client.get(f"{API}/audit/logs", headers=alice.headers))
    assert [row["user_id"] for row in own["logs"]] == [str(alice.id)]
    assert own["logs"][0]["ip_address"] == "10.1.1.1"
    assert own["pagination"]["total"] == 1
    everyone = data(await client.get(f"{API}/audit/logs", headers=root.headers))
    assert {row["ip_address"] for row in everyone["logs"]} >= {"10.1.1.1", "10.2.2.2"}
    filtered = data(
        await client.get(
            f"{API}/audit/logs", headers=alice.headers, params={"ip_address": "10.2.2.2"}
        )
    )
    assert filtered["logs"] == []  # bob's row stays bob's, whatever the filter


async def test_filters_and_dates(app: FastAPI, client: httpx.AsyncClient) -> None:
    root = await admin(app)
    subject = await member(app)
    await audit_row(
        app,
        "webhook.create",
        subject.id,
        resource="webhook",
        resource_id="w1",
        created_at=at("2026-03-01"),
        user_agent="curl/8.0",
    )
    await audit_row(
        app,
        "webhook.delete",
        subject.id,
        resource="webhook",
        resource_id="w1",
        created_at=at("2026-03-02"),
        user_agent="Mozilla/5.0",
    )
    await audit_row(
        app,
        "track.delete",
        subject.id,
        resource="track",
        resource_id="t1",
        created_at=at("2026-03-03"),
    )

    async def actions(**params: str) -> list[str]:
        params.setdefault("resource_id", "")
        page = data(
            await client.get(
                f"{API}/audit/logs",
                headers=root.headers,
                params={k: v for k, v in params.items() if v},
            )
        )
        return [row["action"] for row in page["logs"] if row["user_id"] == str(subject.id)]

    assert await actions(resource="webhook") == ["webhook.delete", "webhook.create"]
    assert await actions(action="track.delete") == ["track.delete"]
    assert await actions(resource_id="w1", user_agent="curl") == ["webhook.create"]
    assert await actions(start_date="2026-03-02", end_date="2026-03-02") == ["webhook.delete"]
    assert await actions(start_date="2026-03-02") == ["track.delete", "webhook.delete"]
    assert await actions(end_date="2026-03-01") == ["webhook.create"]
    for params in (
        {"start_date": "2026-3-1"},
        {"end_date": "yesterday"},
        {"start_date": "2026-02-30"},
        {"start_date": "2026-03-05", "end_date": "2026-03-01"},
        {"page": "0"},
        {"limit": "0"},
        {"offset": "-1"},
    ):
        response = await client.get(f"{API}/audit/logs", headers=root.headers, params=params)
        assert error_code(response, 400) == "VALIDATION_ERROR", params
        assert response.json()["error"]["details"][0]["field"] in params


async def test_pages_by_page_or_offset(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    for n in range(5):
        await audit_row(app, f"action.{n}", alice.id, created_at=at(f"2026-01-0{n + 1}"))
    second = data(
        await client.get(f"{API}/audit/logs", headers=alice.headers, params={"page": 2, "limit": 2})
    )
    assert [row["action"] for row in second["logs"]] == ["action.2", "action.1"]
    assert (
        second["pagination"].items()
        >= {"page": 2, "limit": 2, "total": 5, "total_pages": 3}.items()
    )
    shifted = data(
        await client.get(
            f"{API}/audit/logs", headers=alice.headers, params={"offset": 4, "limit": 2}
        )
    )
    assert [row["action"] for row in shifted["logs"]] == ["action.0"]


async def test_activity_is_the_callers_recent_actions_capped(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    for n in range(3):
        await audit_row(app, f"mine.{n}", alice.id, created_at=at(f"2026-01-0{n + 1}"))
    await audit_row(app, "theirs", bob.id)
    recent = data(
        await client.get(f"{API}/audit/activity", headers=alice.headers, params={"limit": 2})
    )
    assert [row["action"] for row in recent["activities"]] == ["mine.2", "mine.1"]
    huge = data(
        await client.get(f"{API}/audit/activity", headers=alice.headers, params={"limit": 10**6})
    )
    assert len(huge["activities"]) == 3
    assert (await client.get(f"{API}/audit/activity")).status_code == 401


async def test_stats_count_actions_over_a_range(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, root = await member(app), await admin(app)
    await audit_row(app, "track.update", alice.id, created_at=at("2026-05-01"))
    await audit_row(app, "track.update", alice.id, created_at=at("2026-05-02"))
    await audit_row(app, "track.delete", alice.id, created_at=at("2026-06-01"))
    await audit_row(app, "track.update", root.id, created_at=at("2026-05-01"))
    mine = data(
        await client.get(
            f"{API}/audit/stats",
            headers=alice.headers,
            params={"start_date": "2026-05-01", "end_date": "2026-05-31"},
        )
    )["stats"]
    assert mine == {
        "total": 2,
        "by_action": {"track.update": 2},
        "start_date": "2026-05-01",
        "end_date": "2026-05-31",
        "scope": "own",
    }
    everyone = data(
        await client.get(
            f"{API}/audit/stats", headers=root.headers, params={"end_date": "2026-05-31"}
        )
    )["stats"]
    assert everyone["by_action"]["track.update"] == 3 and everyone["scope"] == "all"
    bad = await client.get(
        f"{API}/audit/stats", headers=alice.headers, params={"start_date": "05/01/2026"}
    )
    assert error_code(bad, 400) == "VALIDATION_ERROR"


async def test_track_and_account_changes_leave_rows_with_before_and_after(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    track = await create_track(app, alice, title="Old")
    headers = {**alice.headers, "User-Agent": "studio/2"}
    assert (
        await client.put(f"{API}/tracks/{track.id}", headers=headers, json={"title": "New"})
    ).status_code == 200
    assert (
        await client.put(f"{API}/users/{alice.id}", headers=headers, json={"bio": "hello"})
    ).status_code == 200
    lyrics = await client.put(
        f"{API}/tracks/{track.id}/lyrics", headers=headers, json={"content": "la la"}
    )
    assert lyrics.status_code == 200
    shared = await client.post(
        f"{API}/tracks/{track.id}/share", headers=headers, json={"permissions": "read"}
    )
    assert shared.status_code in (200, 201), shared.text
    upgraded = await client.post(f"{API}/users/me/upgrade-creator", headers=headers)
    assert upgraded.status_code == 200
    assert (await client.delete(f"{API}/tracks/{track.id}", headers=headers)).status_code == 200
    rows = data(await client.get(f"{API}/audit/logs", headers=alice.headers))["logs"]
    by_action = {row["action"]: row for row in rows}
    update = by_action["track.update"]
    assert update["resource"] == "track" and update["resource_id"] == str(track.id)
    assert update["details"] == {"before": {"title": "Old"}, "after": {"title": "New"}}
    assert update["user_agent"] == "studio/2" and update["ip_address"]
    assert by_action["user.update"]["details"]["after"] == {"bio": "hello"}
    assert by_action["track.delete"]["resource_id"] == str(track.id)
    assert by_action["track.lyrics_updated"]["resource_id"] == str(track.id)
    share_token = shared.json()["data"]["share"]["token"]
    assert share_token not in str(by_action["track.share_created"]["details"])
    assert by_action["user.upgrade_creator"]["details"]["after"] == {"role": "creator"}
