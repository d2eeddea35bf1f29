"""Rules of the users domain: profiles and who sees what, lists, suggestions (follows and
blocks: relations.py)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, case, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import changes as audit_changes
from veza.audit.service import record
from veza.auth.account import delete_account
from veza.auth.context import AuthContext
from veza.auth.repository import bump_token_version
from veza.auth.schemas import DeleteAccountRequest
from veza.auth.service import AUDIT_ACCOUNT_DELETED, audit
from veza.config import SocialSettings
from veza.kit import events, queries
from veza.kit.db import Reads
from veza.kit.errors import Forbidden, ValidationFailed
from veza.kit.pagination import PageParams, clamped_limit, pagination
from veza.models import User, utcnow
from veza.users import presenters, repository
from veza.users.access import Account, UserNotFound, check_reachable
from veza.users.presenters import ProfileView
from veza.users.schemas import (
    AdminUserCard,
    Completion,
    Message,
    OwnerProfile,
    PrivateProfileCard,
    Profile,
    ProfileData,
    PublicProfile,
    SearchResults,
    Suggestion,
    SuggestionReason,
    Suggestions,
    UpdateProfileRequest,
    UpgradeResult,
    UserCard,
    UserList,
    UserListQuery,
    display_name,
)

Card = TypeVar("Card", bound=UserCard)

MAX_SUGGESTIONS = 50
# How many of the newest creators are read to find those sharing the viewer's genres.
GENRE_CANDIDATES = 500
MAX_SEARCH_LENGTH = 100

# Profile fields that count toward completion (shown to the owner and administrators only).
COMPLETION_FIELDS = (
    "avatar",
    "banner_url",
    "bio",
    "first_name",
    "last_name",
    "location",
    "gender",
    "birthdate",
    "social_links",
    "genres",
)

_SORT_COLUMNS: dict[str, Any] = {
    "created_at": User.created_at,
    "username": func.lower(User.username),
    "email": func.lower(User.email),
    "last_login_at": User.last_login_at,
}
# Sorting by these would reveal private data (email order, login activity).
_MODERATOR_SORTS = frozenset({"email", "last_login_at"})
_ADMIN_FIELDS = ("role", "is_active", "is_banned", "is_admin")
_PROFILE_FIELDS = (
    "avatar",
    "banner_url",
    "bio",
    "first_name",
    "gender",
    "genres",
    "last_name",
    "location",
    "social_links",
)


# ---------------------------------------------------------------------------------------------
# Who sees whom
# ---------------------------------------------------------------------------------------------


def _sees_everything(viewer: User | None, user: Account) -> bool:
    return viewer is not None and (viewer.id == user.id or viewer.is_administrator)


def profile_view(
    viewer: User | None, user: User | Row[Any], counts: dict[str, int], relation: dict[str, bool]
) -> tuple[ProfileView, dict[str, Any]]:
    """The view of ``user`` (a User, or a row of ``repository.PROFILE_COLUMNS``) the viewer
    gets, and its values."""
    if _sees_everything(viewer, user):
        return OwnerProfile, _fields_of(user, OwnerProfile) | counts | relation
    if not user.is_public:
        card = {"id": user.id, "username": user.username, "slug": user.slug}
        # Real names stay private: the card shows the username.
        card |= {"display_name": user.username, "avatar": user.avatar}
        return PrivateProfileCard, card | counts | relation
    return PublicProfile, _fields_of(user, PublicProfile) | counts | relation


async def _relation(reads: Reads, viewer: User | None, user_id: uuid.UUID) -> dict[str, bool]:
    """How a signed-in viewer relates to another user (nothing for anonymous or oneself)."""
    if viewer is None or viewer.id == user_id:
        return {}
    relations = await repository.relations(reads, viewer.id, [user_id])
    return {
        "is_following": user_id in relations.following,
        "is_followed_by": user_id in relations.followed_by,
        "is_blocked": user_id in relations.blocked,
    }


async def build_profile(session: AsyncSession, viewer: User | None, user: User) -> Profile:
    followers, following = (await repository.follow_counts(session, [user.id]))[user.id]
    counts = {"follower_count": followers, "following_count": following}
    view, values = profile_view(viewer, user, counts, await _relation(session, viewer, user.id))
    return view.model_validate(values)


@functools.cache
def _user_fields(model: type[UserCard]) -> tuple[str, ...]:
    """The model's fields that are attributes of a User (looked up once per model: on the hot
    profile read, 8% of the lane's time with the row's attribute reads)."""
    return tuple(name for name in model.model_fields if hasattr(User, name))


def _fields_of(user: User | Row[Any], model: type[UserCard]) -> dict[str, Any]:
    """The model's fields that are columns of the user row, plus the display name."""
    values = {name: getattr(user, name) for name in _user_fields(model)}
    values["display_name"] = display_name(user)
    return values


async def cards(
    session: AsyncSession, viewer: User | None, users: Sequence[User], card: type[Card]
) -> list[Card]:
    """List items for ``users`` with their counts and the viewer's relations, in order."""
    counts = await repository.follow_counts(session, [user.id for user in users])
    relations = (
        await repository.relations(session, viewer.id, [user.id for user in users])
        if viewer is not None
        else None
    )
    items = []
    for user in users:
        values = _fields_of(user, card)
        values["follower_count"], values["following_count"] = counts[user.id]
        if relations is not None and viewer is not None and user.id != viewer.id:
            values["is_following"] = user.id in relations.following
            values["is_followed_by"] = user.id in relations.followed_by
        items.append(card.model_validate(values))
    return items


# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------


async def profile_json(reads: Reads, viewer: User | None, user_id: uuid.UUID) -> bytes:
    """GET /users/{id}: the profile ``build_profile`` makes, from one row (the user and its
    counts, no User object), encoded in one pass."""
    user = await repository.get_profile_row(reads, user_id)
    if user is None:
        raise UserNotFound()
    await check_reachable(reads, viewer, user)
    counts = {"follower_count": user.follower_count, "following_count": user.following_count}
    view, values = profile_view(viewer, user, counts, await _relation(reads, viewer, user.id))
    return presenters.profile_json(view, values)


async def get_profile_by_username(
    session: AsyncSession, viewer: User | None, username: str
) -> ProfileData:
    user = await repository.get_user_by_username(session, username.strip())
    if user is None:
        raise UserNotFound()
    await check_reachable(session, viewer, user)
    return ProfileData(profile=await build_profile(session, viewer, user))


async def update_profile(
    session: AsyncSession,
    actor: User,
    user_id: uuid.UUID,
    request: UpdateProfileRequest,
    settings: SocialSettings,
) -> ProfileData:
    moderator = actor.is_administrator
    if actor.id != user_id and not moderator:
        raise Forbidden("You can only update your own profile")
    user = actor if actor.id == user_id else await repository.get_user(session, user_id)
    if user is None:
        raise UserNotFound()
    changes = request.model_dump(exclude_unset=True)
    before = _audited_fields(user, changes)
    if "username" in changes:
        await _change_username(session, actor, user, changes["username"], settings)
    for name in _PROFILE_FIELDS:
        if name in changes:
            setattr(user, name, changes[name])
    if "birthdate" in changes:
        birthdate = changes["birthdate"]
        user.birthdate = date.fromisoformat(birthdate) if birthdate else None
    if changes.get("is_public") is not None:
        user.is_public = changes["is_public"]
    if moderator:
        await _apply_admin_fields(session, user, changes)
    user.updated_at = utcnow()
    await session.flush()
    changed = audit_changes(before, _audited_fields(user, changes))
    if changed:
        await record(
            session,
            "user.update",
            user_id=actor.id,
            resource="user",
            resource_id=user.id,
            details=changed,
        )
    return ProfileData(profile=await build_profile(session, actor, user))


def _audited_fields(user: User, changes: dict[str, object]) -> dict[str, object]:
    """The account's values of the fields a profile update names (none of them a secret)."""
    return {name: getattr(user, name) for name in changes if hasattr(user, name)}


async def _change_username(
    session: AsyncSession, actor: User, user: User, username: str, settings: SocialSettings
) -> None:
    if username == user.username:
        return
    if actor.id == user.id and not actor.is_administrator and user.username_changed_at is not None:
        allowed_at = user.username_changed_at + timedelta(
            days=settings.username_change_interval_days
        )
        if utcnow() < allowed_at:
            raise ValidationFailed(
                "Username was changed recently",
                code="USERNAME_CHANGE_TOO_SOON",
                details=[
                    {
                        "field": "username",
                        "message": "can be changed again after "
                        + allowed_at.isoformat().replace("+00:00", "Z"),
                        "value": username,
                    }
                ],
            )
    if await repository.username_taken(session, username, user.id):
        raise ValidationFailed(
            "Username is already taken",
            code="USERNAME_TAKEN",
            details=[{"field": "username", "message": "already taken", "value": username}],
        )
    user.username = username
    user.username_changed_at = utcnow()


async def _apply_admin_fields(session: AsyncSession, user: User, changes: dict[str, Any]) -> None:
    ends_sessions = False
    for name in _ADMIN_FIELDS:
        value = changes.get(name)
        if value is None:
            continue
        if name == "is_banned" and value and not user.is_banned:
            ends_sessions = True
        if name == "is_active" and not value and user.is_active:
            ends_sessions = True
        setattr(user, name, value)
    if ends_sessions:
        # A banned or deactivated account is signed out everywhere at once, and what others
        # were served of it (cached playback) is forgotten.
        await bump_token_version(session, user)
        await events.publish(session, events.USER_WITHDRAWN, user_id=user.id)


async def delete_user(
    session: AsyncSession,
    actor: User,
    user_id: uuid.UUID,
    body: DeleteAccountRequest | None,
    *,
    account: AuthContext,
) -> Message:
    """One's own account goes by the one rule of DELETE /users/me (password, "DELETE",
    anonymised, audited), whichever path; an administrator soft-deletes anyone else."""
    if actor.id == user_id:
        if body is None:
            raise ValidationFailed(
                "Deleting your own account needs your password and confirm_text",
                details=[
                    {"field": "password", "message": "field required", "value": ""},
                    {"field": "confirm_text", "message": 'must be exactly "DELETE"', "value": ""},
                ],
            )
        await delete_account(account, actor, body)
        return Message(message="User deleted")
    user = await repository.get_user(session, user_id)
    if user is None:
        raise UserNotFound()
    if not actor.is_administrator:
        raise Forbidden("Only the account owner or an administrator can delete it")
    user.deleted_at = utcnow()
    await session.flush()
    await bump_token_version(session, user)
    await events.publish(session, events.USER_DELETED, user_id=user.id, keep_public_tracks=False)
    await events.publish(session, events.USER_WITHDRAWN, user_id=user.id)
    # The row is the administrator's action on the deleted account.
    await audit(
        account,
        AUDIT_ACCOUNT_DELETED,
        actor.id,
        resource_id=user.id,
        details={"by_administrator": True, "keep_public_tracks": False},
    )
    return Message(message="User deleted")


async def upgrade_to_creator(session: AsyncSession, user: User) -> UpgradeResult:
    """role 'user' -> 'creator', stamping promoted_to_creator_at the first time only.

    One conditional UPDATE, so two concurrent calls cannot both promote. Other roles
    (creator already, admin) are left as they are.
    """
    result = await session.execute(
        update(User)
        .where(User.id == user.id, User.role == "user")
        .values(
            role="creator",
            promoted_to_creator_at=func.coalesce(User.promoted_to_creator_at, utcnow()),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    upgraded = bool(result.rowcount)  # type: ignore[attr-defined]
    if upgraded:
        await session.refresh(user)
        await record(
            session,
            "user.upgrade_creator",
            user_id=user.id,
            resource="user",
            resource_id=user.id,
            details={"before": {"role": "user"}, "after": {"role": "creator"}},
        )
    profile = await build_profile(session, user, user)
    assert isinstance(profile, OwnerProfile)
    message = "You are now a creator" if upgraded else "Nothing to change"
    return UpgradeResult(message=message, upgraded=upgraded, profile=profile)


async def completion(session: AsyncSession, viewer: User, user_id: uuid.UUID) -> Completion:
    """For the owner and administrators (others 403, whether or not the id exists)."""
    if viewer.id != user_id and not viewer.is_administrator:
        raise Forbidden("Only the owner or an administrator can see a profile's completion")
    user = viewer if viewer.id == user_id else await repository.get_user(session, user_id)
    if user is None:
        raise UserNotFound()
    fields = COMPLETION_FIELDS
    completed = [name for name in fields if getattr(user, name) not in (None, "", [], {})]
    missing = [name for name in fields if name not in completed]
    return Completion(
        percentage=round(100 * len(completed) / len(fields)),
        completed_fields=completed,
        missing_fields=missing,
        total_fields=len(fields),
    )


# ---------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------


async def list_users(
    session: AsyncSession, viewer: User | None, query: UserListQuery, paging: PageParams
) -> UserList:
    moderator = viewer is not None and viewer.is_administrator
    # A blank value (e.g. "?sort_by=") means the default, as if the parameter were absent.
    sort_by = query.sort_by.strip().lower() or "created_at"
    if sort_by not in _SORT_COLUMNS or (sort_by in _MODERATOR_SORTS and not moderator):
        allowed = sorted(_SORT_COLUMNS if moderator else set(_SORT_COLUMNS) - _MODERATOR_SORTS)
        raise ValidationFailed.field(
            "sort_by", "must be one of: " + ", ".join(allowed), query.sort_by
        )
    sort_order = query.sort_order.strip().lower() or "desc"
    if sort_order not in {"asc", "desc"}:
        raise ValidationFailed.field("sort_order", "must be asc or desc", query.sort_order)
    statement = repository.listable_users(viewer, moderator=moderator)
    if query.role:
        statement = statement.where(User.role == query.role.strip().lower())
    if query.is_active is not None:
        statement = statement.where(User.is_active.is_(query.is_active))
    if query.is_verified is not None:
        statement = statement.where(User.is_verified.is_(query.is_verified))
    if query.search and query.search.strip():
        pattern = repository.like_pattern(query.search.strip()[:MAX_SEARCH_LENGTH])
        statement = statement.where(repository.name_matches(pattern, with_email=moderator))
    column = _SORT_COLUMNS[sort_by]
    ordered: ColumnElement[Any] = column.asc() if sort_order == "asc" else column.desc()
    users, total = await queries.page(
        session,
        statement,
        [ordered.nulls_last(), User.id],
        offset=paging.offset,
        limit=paging.limit,
    )
    items: list[AdminUserCard | UserCard] = []
    if moderator:
        items.extend(await cards(session, viewer, users, AdminUserCard))
    else:
        items.extend(await cards(session, viewer, users, UserCard))
    return UserList(users=items, pagination=pagination(paging, total))


async def search(
    session: AsyncSession, viewer: User | None, text: str | None, paging: PageParams
) -> SearchResults:
    """Case-insensitive match on username and display name; exact and prefix matches first."""
    query = (text or "").strip()
    if len(query) > MAX_SEARCH_LENGTH:
        raise ValidationFailed.field("q", f"at most {MAX_SEARCH_LENGTH} characters", query)
    if not query:
        return SearchResults(users=[], pagination=pagination(paging, 0))
    # Search never lists private profiles, not even to administrators (GET /users does).
    statement = repository.listable_users(viewer, moderator=False).where(
        repository.name_matches(repository.like_pattern(query))
    )
    username = func.lower(User.username)
    lowered = query.lower()
    exact_first = case((username == lowered, 0), else_=1)
    prefix_first = case((func.substr(username, 1, len(lowered)) == lowered, 0), else_=1)
    users, total = await queries.page(
        session,
        statement,
        [exact_first, prefix_first, username, User.id],
        offset=paging.offset,
        limit=paging.limit,
    )
    return SearchResults(
        users=await cards(session, viewer, users, UserCard), pagination=pagination(paging, total)
    )


async def suggestions(session: AsyncSession, viewer: User, limit: int) -> Suggestions:
    """Who to follow, declaratively (no behavioural scoring), in three tiers:

    1. users followed by people the viewer follows, the most recently followed first;
    2. creators who declared a genre the viewer declared, newest creators first;
    3. the newest creators.
    Never the viewer, people they follow, private profiles or anyone a block stands between.
    """
    limit = clamped_limit(limit, maximum=MAX_SUGGESTIONS)
    picked: list[tuple[User, SuggestionReason]] = [
        (user, "followed_by_people_you_follow")
        for user in await repository.followed_by_followees(session, viewer.id, limit)
    ]
    if len(picked) < limit:
        creators = await repository.newest_creators(
            session, viewer.id, GENRE_CANDIDATES, exclude=[user.id for user, _ in picked]
        )
        mine = {genre.lower() for genre in viewer.genres or []}
        sharing = [u for u in creators if mine & {g.lower() for g in u.genres or []}]
        picked.extend((user, "shares_your_genres") for user in sharing)
        shared_ids = {user.id for user in sharing}
        picked.extend((user, "new_creator") for user in creators if user.id not in shared_ids)
    picked = picked[:limit]
    items = await cards(session, viewer, [user for user, _ in picked], UserCard)
    return Suggestions(
        users=[
            Suggestion(**item.model_dump(), reason=reason)
            for item, (_, reason) in zip(items, picked, strict=True)
        ]
    )
