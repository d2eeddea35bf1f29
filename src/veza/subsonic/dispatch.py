"""One Subsonic call: authenticate, run the method in a transaction (a writer one for the
methods that change something, since Subsonic clients send everything as GET), render the
answer or the error in the format asked (``f=json``, else XML)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from veza.kit.db import Database, run_after_commit
from veza.kit.encryption import SecretBox
from veza.kit.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    RangeNotSatisfiable,
    RateLimited,
    VezaError,
)
from veza.kit.ratelimit import RateLimiter
from veza.models import User
from veza.playlists.dependencies import PlaylistTools
from veza.queue.dependencies import QueueTools
from veza.subsonic import (
    annotation,
    browsing,
    credentials,
    directories,
    empty_features,
    errors,
    media,
    playlists,
    queueing,
    rendering,
    searching,
)
from veza.subsonic.params import Params


@dataclass(frozen=True)
class Call:
    method: str
    params: Params
    headers: dict[str, str]
    client_ip: str | None


@dataclass(frozen=True)
class SubsonicTools:
    db: Database
    box: SecretBox
    media: media.MediaTools
    max_list_size: int
    server_version: str
    playlists: PlaylistTools
    queue: QueueTools
    limiter: RateLimiter
    failures_per_account: str
    failures_per_ip: str


Handler = Callable[[AsyncSession, User, Call, SubsonicTools], Awaitable[Any]]


def _simple(function: Callable[[AsyncSession, User, Params], Awaitable[Any]]) -> Handler:
    async def run(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
        return await function(session, user, call.params)

    return run


def _sized(function: Callable[..., Awaitable[Any]]) -> Handler:
    async def run(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
        return await function(session, user, call.params, max_size=tools.max_list_size)

    return run


def _served(function: Callable[..., Awaitable[Any]]) -> Handler:
    async def run(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
        return await function(session, user, call.params, call.headers, tools.media)

    return run


def _playlist(function: Callable[..., Awaitable[Any]]) -> Handler:
    async def run(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
        return await function(session, user, call.params, tools.playlists)

    return run


def _queued(function: Callable[..., Awaitable[Any]]) -> Handler:
    async def run(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
        return await function(session, user, call.params, tools.queue)

    return run


def _empty(answer: dict[str, Any]) -> Handler:
    async def run(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
        return answer

    return run


async def _ping(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
    return browsing.ping()


async def _license(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
    return browsing.license_()


async def _folders(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
    return browsing.music_folders()


async def _user(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
    return browsing.user_element(user)


async def _cover(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
    return await media.cover_art(session, user, call.params, tools.media)


async def _scrobble(session: AsyncSession, user: User, call: Call, tools: SubsonicTools) -> Any:
    return await annotation.scrobble(session, user, call.params, call.client_ip)


METHODS: dict[str, Handler] = {
    "ping": _ping,
    "getLicense": _license,
    "getMusicFolders": _folders,
    "getUser": _user,
    "getIndexes": _simple(browsing.indexes),
    "getArtists": _simple(browsing.artists),
    "getArtist": _simple(browsing.artist),
    "getAlbum": _simple(browsing.album),
    "getAlbumList2": _sized(browsing.album_list2),
    "getSong": _simple(browsing.song),
    "getRandomSongs": _sized(browsing.random_songs),
    "getCoverArt": _cover,
    "stream": _served(media.stream),
    "download": _served(media.download),
    "star": _simple(annotation.star),
    "unstar": _simple(annotation.unstar),
    "getStarred2": _simple(annotation.starred2),
    "scrobble": _scrobble,
    "search3": _sized(searching.search3),
    "getPlayQueue": _queued(queueing.get_play_queue),
    "savePlayQueue": _queued(queueing.save_play_queue),
    "getMusicDirectory": _simple(directories.music_directory),
    "getAlbumList": _sized(directories.album_list),
    "getStarred": _simple(directories.starred),
    "search2": _sized(directories.search2),
    "getGenres": _simple(directories.genres),
    "getArtistInfo2": _simple(empty_features.artist_info),
    "getArtistInfo": _simple(empty_features.artist_info_non_id3),
    "getAlbumInfo2": _simple(empty_features.album_info),
    "getAlbumInfo": _simple(empty_features.album_info),
    "getSimilarSongs2": _simple(empty_features.similar_songs2),
    "getTopSongs": _simple(empty_features.top_songs),
    "getScanStatus": _simple(empty_features.scan_status),
    **{name: _empty(answer) for name, answer in empty_features.EMPTY_ANSWERS.items()},
    "getLyrics": _simple(annotation.lyrics_by_artist_and_title),
    "getLyricsBySongId": _simple(annotation.lyrics_by_song_id),
    "getPlaylists": _playlist(playlists.get_playlists),
    "getPlaylist": _playlist(playlists.get_playlist),
    "createPlaylist": _playlist(playlists.create_playlist),
    "updatePlaylist": _playlist(playlists.update_playlist),
    "deletePlaylist": _playlist(playlists.delete_playlist),
}
WRITE_METHODS = frozenset(
    {
        "star",
        "unstar",
        "scrobble",
        "createPlaylist",
        "updatePlaylist",
        "deletePlaylist",
        "savePlayQueue",
    }
)
NO_AUTH_METHODS = frozenset({"getOpenSubsonicExtensions"})


def _render(
    call: Call, payload: dict[str, Any], tools: SubsonicTools, *, failed: bool = False
) -> Response:
    body = rendering.envelope(payload, server_version=tools.server_version, failed=failed)
    if (call.params.get("f") or "xml").lower() == "json":
        return Response(
            rendering.to_json(rendering.without_nones(body)), media_type="application/json"
        )
    return Response(rendering.to_xml(body), media_type="application/xml")


def _error(call: Call, error: errors.SubsonicError, tools: SubsonicTools) -> Response:
    payload = {"error": {"code": error.code, "message": error.message}}
    return _render(call, payload, tools, failed=True)


def _translated(exc: VezaError) -> errors.SubsonicError:
    if isinstance(exc, NotFound):
        return errors.SubsonicError(errors.NOT_FOUND, exc.message)
    if isinstance(exc, Forbidden):
        return errors.SubsonicError(errors.NOT_AUTHORIZED, exc.message)
    if isinstance(exc, BadRequest):
        details = "; ".join(
            f"{d.get('field')}: {d.get('message')}"
            for d in (exc.details or [])
            if isinstance(d, dict)
        )
        return errors.SubsonicError(errors.GENERIC, details or exc.message)
    return errors.SubsonicError(errors.GENERIC, exc.message)


def _failure_keys(call: Call, tools: SubsonicTools) -> list[tuple[str, str, str]]:
    """The failed sign-in counters a request meets: its username's, its address's (the same
    limits as the web app's login)."""
    keys = []
    username = call.params.get("u")
    if username:
        keys.append((tools.failures_per_account, "subsonic-user", username.casefold()))
    if call.client_ip:
        keys.append((tools.failures_per_ip, "subsonic-ip", call.client_ip))
    return keys


async def _signed_in(session: AsyncSession, call: Call, tools: SubsonicTools) -> User:
    """The caller; after too many failed sign-ins for a username or from an address, every
    attempt is refused (error 40, with the retry delay in the message) until the window
    passes, so a token or a Subsonic password cannot be guessed online."""
    keys = _failure_keys(call, tools)
    for rule, *key in keys:
        try:
            await tools.limiter.check(rule, *key)
        except RateLimited as exc:
            raise errors.SubsonicError(
                errors.WRONG_CREDENTIALS,
                f"Too many failed sign-ins: retry in {exc.retry_after} seconds",
            ) from exc
    try:
        return await credentials.authenticate(session, tools.box, call.params.first())
    except errors.SubsonicError as exc:
        if exc.code == errors.WRONG_CREDENTIALS:
            for rule, *key in keys:
                await tools.limiter.hit(rule, *key)
        raise


async def handle(call: Call, tools: SubsonicTools) -> Response:
    method = call.method.removesuffix(".view")
    if method in NO_AUTH_METHODS:
        return _render(call, browsing.extensions(), tools)
    handler = METHODS.get(method)
    if handler is None:
        return _error(call, errors.SubsonicError(errors.GENERIC, f"Unknown method {method}"), tools)
    factory = tools.db.writer if method in WRITE_METHODS else tools.db.reader
    try:
        async with factory() as session:
            try:
                user = await _signed_in(session, call, tools)
                answer = await handler(session, user, call, tools)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
        await run_after_commit(session)
    except errors.SubsonicError as exc:
        return _error(call, exc, tools)
    except RangeNotSatisfiable:
        raise  # a 416 with Content-Range, as for the REST stream
    except VezaError as exc:
        return _error(call, _translated(exc), tools)
    if isinstance(answer, Response):
        return answer
    return _render(call, answer, tools)
