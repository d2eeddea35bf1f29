"""Discovery: suggested tags per genre and declarative, explainable recommendations."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, true
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.kit.pagination import clamped_limit
from veza.models import Track, User
from veza.tracks import repository, schemas, taxonomy
from veza.tracks.access import listed_track
from veza.tracks.presenters import track_response

RECOMMENDATIONS_DEFAULT = 20


def suggested_tags(genre: str | None) -> schemas.SuggestedTags:
    resolved, tags = taxonomy.suggested_tags(genre)
    return schemas.SuggestedTags(genre=resolved, tags=list(tags))


def _recommended(
    track: Track, public_url: str, viewer: User, reasons: list[str]
) -> schemas.RecommendedTrack:
    response = track_response(track, public_url, viewer, schemas.RecommendedTrack)
    response.reasons = reasons
    return response


async def recommendations(
    session: AsyncSession,
    user: User,
    limit: int | None,
    seed_track_id: str | None,
    *,
    public_url: str,
) -> schemas.Recommendations:
    """Declarative and explainable, newest first, never behavioural: with a seed, tracks that
    share its genre, a tag, or its key with a close BPM; without one, tracks of creators the
    caller follows and of the genres they declared, then the newest releases. Never the
    caller's own tracks nor those of users a block stands between."""
    size = clamped_limit(limit, default=RECOMMENDATIONS_DEFAULT)
    if seed_track_id is not None and seed_track_id.strip():
        try:
            seed_id = uuid.UUID(seed_track_id.strip())
        except ValueError as exc:
            raise ValidationFailed.field(
                "seed_track_id", "must be a track id (UUID)", seed_track_id
            ) from exc
        seed = await listed_track(session, seed_id, user)
        rules = repository.similar_to(seed)
        picked = await _pick(session, user, rules, size, exclude={seed.id}, fill=False)
    else:
        rules = {"followed_creator": repository.by_followed_creators(user.id)}
        declared = [taxonomy.slugify(genre) for genre in user.genres or []]
        if declared:
            rules["your_genres"] = repository.genre_condition(declared)
        picked = await _pick(session, user, rules, size, exclude=set(), fill=True)
    return schemas.Recommendations(
        tracks=[_recommended(track, public_url, user, reasons) for track, reasons in picked]
    )


async def _pick(
    session: AsyncSession,
    user: User,
    rules: dict[str, Any],
    size: int,
    *,
    exclude: set[uuid.UUID],
    fill: bool,
) -> list[tuple[Track, list[str]]]:
    """The newest tracks matching any rule, each with every rule it matches."""
    found: dict[uuid.UUID, tuple[Track, list[str]]] = {}
    if rules:
        for track in await repository.newest_matching(
            session, user, or_(*rules.values()), limit=size, exclude=exclude
        ):
            found[track.id] = (track, [])
        for reason, condition in rules.items():
            if not found:
                break
            matching = await repository.newest_matching(
                session, user, condition, limit=size, exclude=exclude, within=list(found)
            )
            for track in matching:
                found[track.id][1].append(reason)
    picked = list(found.values())
    if fill and len(picked) < size:
        newest = await repository.newest_matching(
            session, user, true(), limit=size - len(picked), exclude={*exclude, *found}
        )
        picked.extend((track, ["new_release"]) for track in newest)
    return picked
