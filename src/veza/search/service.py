"""Rules of the search domain: what a query may be, which kinds it searches, how pages and
suggestions are made. The matching itself is the engine's (engine.py), visibility the base
rules' (repository.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.kit.pagination import (
    PageParams,
    checked_limit,
    checked_page,
    cursor_codec,
    pagination,
)
from veza.models import Track, User
from veza.search import engine, names, probes, repository, schemas, vocabulary
from veza.search.engine import Match
from veza.search.presenters import FoundPage
from veza.search.repository import TrackFilters
from veza.search.text import MAX_QUERY_LENGTH, ParsedQuery, parse
from veza.tracks.presenters import track_payloads, track_response
from veza.tracks.repository import SHOWN_COLUMNS
from veza.users.schemas import UserCard
from veza.users.service import cards

TYPE_KINDS = {"track": engine.TRACKS, "user": engine.USERS, "playlist": engine.PLAYLISTS}
MAX_SEARCH_LIMIT = 50
MAX_SUGGESTIONS = 20
DEFAULT_SUGGESTIONS = 5
SHORT_PREFIX = 2
SORTS = ("relevance", "created_at", "play_count", "title", "bpm", "duration")


def checked_query(q: str | None, *, required: bool) -> str:
    """The query with its spaces collapsed; 400 when required and blank, or too long."""
    text = " ".join((q or "").split())
    if required and not text:
        raise ValidationFailed.field("q", "must not be empty", q or "")
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationFailed.field("q", f"at most {MAX_QUERY_LENGTH} characters", text[:50])
    return text


def checked_types(types: Sequence[str] | None) -> list[str]:
    if not types:
        return list(TYPE_KINDS.values())
    kinds: list[str] = []
    for value in types:
        for name in value.split(","):
            key = name.strip().lower()
            if key not in TYPE_KINDS:
                raise ValidationFailed.field("type", "must be track, user or playlist", name)
            if TYPE_KINDS[key] not in kinds:
                kinds.append(TYPE_KINDS[key])
    return kinds


async def prepared(
    session: AsyncSession, kind: str, query: ParsedQuery, kinds: Sequence[str]
) -> Match:
    terms = await vocabulary.expand(session, query, kinds)
    return engine.match(session, kind, repository.IDS[kind], terms)


# GET /search ---------------------------------------------------------------------------------


def _offset_from(session: AsyncSession, cursor: str | None, text: str, kinds: list[str]) -> int:
    if not cursor:
        return 0
    position = cursor_codec(session).decode(cursor)
    offset = position.get("offset")
    if position.get("q") != text or position.get("types") != kinds:
        raise ValidationFailed.field("cursor", "belongs to another search", cursor[:20])
    if not isinstance(offset, int) or offset < 0:
        raise ValidationFailed.field("cursor", "is not a position of this search", cursor[:20])
    return offset


async def search(
    session: AsyncSession,
    viewer: User | None,
    q: str | None,
    types: Sequence[str] | None,
    cursor: str | None,
    limit: int | None,
    *,
    public_url: str,
) -> FoundPage:
    """Every kind asked for, each best first with its total; one cursor pages them all."""
    text = checked_query(q, required=True)
    kinds = checked_types(types)
    size = checked_limit(limit, default=20, maximum=MAX_SEARCH_LIMIT)
    offset = _offset_from(session, cursor, text, kinds)
    results = FoundPage(query=text)
    query = parse(text)
    if query.empty:
        return results
    more = False
    ids = [repository.IDS[kind] for kind in kinds]
    _, matches, probed = await probes.expanded_matches(session, query, ids, kinds)
    hits = await probes.found(session, matches, probed)
    for kind, match, found in zip(kinds, matches, hits, strict=True):
        if not found:  # nothing indexed matches: no statement of this kind
            continue
        rows, total = await repository.ranked_page(
            session,
            kind,
            viewer,
            match,
            text,
            offset=offset,
            limit=size,
            shown=SHOWN_COLUMNS if kind == engine.TRACKS else None,
        )
        setattr(results.totals, kind, total)
        await _fill(session, viewer, results, kind, rows, public_url)
        more = more or offset + size < total
    if more:
        results.next_cursor = cursor_codec(session).encode(
            {"offset": offset + size, "q": text, "types": kinds}
        )
    if not any(getattr(results.totals, kind) for kind in kinds):
        results.did_you_mean = await vocabulary.did_you_mean(session, query, kinds)
    return results


async def _fill(
    session: AsyncSession,
    viewer: User | None,
    results: FoundPage,
    kind: str,
    rows: list[Any],
    public_url: str,
) -> None:
    if kind == engine.TRACKS:  # rows of SHOWN_COLUMNS, encoded as the catalog encodes them
        results.tracks = track_payloads(rows, public_url, viewer)
    elif kind == engine.USERS:
        results.users = await cards(session, viewer, rows, UserCard)
    else:
        results.playlists = [schemas.PlaylistHit.model_validate(p) for p in rows]


# GET /search/suggestions ---------------------------------------------------------------------


def _suggestion(kind: str, row: Any) -> schemas.Suggestion:
    if kind == engine.TRACKS:
        return schemas.Suggestion(type="track", id=row.id, text=row.title, subtitle=row.artist)
    if kind == engine.USERS:
        names = " ".join(n for n in (row.first_name, row.last_name) if n) or None
        return schemas.Suggestion(type="user", id=row.id, text=row.username, subtitle=names)
    return schemas.Suggestion(type="playlist", id=row.id, text=row.title, subtitle=None)


async def suggestions(
    session: AsyncSession, viewer: User | None, q: str | None, limit: int | None
) -> schemas.Suggestions:
    """Prefix autocomplete, mixing the kinds: first the names (titles, usernames, artists,
    display names) with a word starting with the query, read from the names tables in their
    declarative order (names.py), the query's typos corrected when it finds too few; when
    they are fewer than the limit, the full-text matches of every field fill the rest."""
    text = checked_query(q, required=True)
    size = checked_limit(limit, default=DEFAULT_SUGGESTIONS, maximum=MAX_SUGGESTIONS)
    query = parse(text)
    if query.empty:
        return schemas.Suggestions(query=text, suggestions=[])
    # One or two letters typed: names that have a word starting with them, not every field
    # of every row (which would rank half the catalogue).
    short = len(query.words) == 1 and not query.phrases and len(query.words[0]) <= SHORT_PREFIX
    found: list[schemas.Suggestion] = []
    expanded = None
    if query.words and not query.phrases and not query.excluded:
        prefix = " ".join(query.words)
        found = await names.suggested(session, viewer, text, [prefix], size, own_names_only=short)
        if len(found) < size:
            expanded = await _expanded(session, query, short)
            alternatives = expanded[0].alternatives
            if any(len(options) > 1 for options in alternatives):
                spelled = names.spellings(alternatives)
                # The spelling as typed was just looked up: when it found nothing, the
                # corrected spellings alone give the same rows.
                if not found:
                    spelled = [spelling for spelling in spelled if spelling != prefix]
                found = await names.suggested(
                    session, viewer, text, spelled, size, own_names_only=short
                )
    if len(found) < size:
        shown = {suggestion.id for suggestion in found}
        if expanded is None:
            expanded = await _expanded(session, query, short)
        _, matches, probed = expanded
        more = await _full_text_suggestions(session, viewer, text, size, matches, probed)
        found += [suggestion for suggestion in more if suggestion.id not in shown]
    return schemas.Suggestions(query=text, suggestions=found[:size])


async def _expanded(
    session: AsyncSession, query: ParsedQuery, short: bool
) -> tuple[vocabulary.Terms, list[Match], list[bool] | None]:
    """The query's terms and each kind's match, probed with the vocabulary check when no word
    needs correcting; a corrected query's probe waits until the full text is needed."""
    kinds = list(engine.KINDS)
    ids = [repository.IDS[kind] for kind in kinds]
    return await probes.expanded_matches(session, query, ids, kinds, names_only=short)


async def _full_text_suggestions(
    session: AsyncSession,
    viewer: User | None,
    text: str,
    size: int,
    matches: list[Match],
    probed: list[bool] | None,
) -> list[schemas.Suggestion]:
    """The best full-text matches of each kind, mixed: exact names first, then by score."""
    hits = await probes.found(session, matches, probed)
    scored: list[tuple[bool, float, int, schemas.Suggestion]] = []
    for order, (kind, match) in enumerate(zip(engine.KINDS, matches, strict=True)):
        if not hits[order]:
            continue
        for hit in await repository.best(session, kind, viewer, match, text, size):
            scored.append((not hit.exact, -hit.score, order, _suggestion(kind, hit.row)))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored]


# GET /tracks/search --------------------------------------------------------------------------


def _date(name: str, value: str | None) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed.field(name, "must be an RFC 3339 date-time", value) from None
    if parsed.tzinfo is None:
        raise ValidationFailed.field(name, "must carry a time zone (RFC 3339)", value)
    return parsed


def _range(name: str, low: Any, high: Any) -> None:
    for bound, value in (("min_", low), ("max_", high)):
        if isinstance(value, int) and value < 0:
            raise ValidationFailed.field(bound + name, "must not be negative", value)
    if low is not None and high is not None and low > high:
        raise ValidationFailed.field(f"min_{name}", f"must not exceed max_{name}", low)


def track_filters(
    *,
    tags: str | None,
    tag_mode: str | None,
    min_duration: int | None,
    max_duration: int | None,
    min_bpm: int | None,
    max_bpm: int | None,
    genre: str | None,
    format: str | None,
    musical_key: str | None,
    min_date: str | None,
    max_date: str | None,
) -> TrackFilters:
    mode = (tag_mode or "OR").strip().upper()
    if mode not in ("OR", "AND"):
        raise ValidationFailed.field("tag_mode", "must be OR or AND", tag_mode)
    _range("duration", min_duration, max_duration)
    _range("bpm", min_bpm, max_bpm)
    low, high = _date("min_date", min_date), _date("max_date", max_date)
    _range("date", low, high)
    return TrackFilters(
        tags=[t.strip().lower() for t in (tags or "").split(",") if t.strip()],
        all_tags=mode == "AND",
        min_duration=min_duration,
        max_duration=max_duration,
        min_bpm=min_bpm,
        max_bpm=max_bpm,
        genre=(genre or "").strip() or None,
        format=(format or "").strip() or None,
        musical_key=(musical_key or "").strip() or None,
        min_date=low,
        max_date=high,
    )


_SORT_COLUMNS: dict[str, Any] = {
    "created_at": Track.created_at,
    "play_count": Track.play_count,
    "title": Track.title,
    "bpm": Track.bpm,
    "duration": Track.duration,
}


def _track_order(sort_by: str, descending: bool) -> list[Any]:
    column = _SORT_COLUMNS["created_at" if sort_by == "relevance" else sort_by]
    ordered = column.desc() if descending else column.asc()
    tie = Track.id.desc() if descending else Track.id.asc()
    return [ordered.nulls_last(), tie]


async def track_search(
    session: AsyncSession,
    viewer: User | None,
    q: str | None,
    filters: TrackFilters,
    *,
    sort_by: str | None,
    sort_order: str | None,
    page: int | None,
    limit: int | None,
    public_url: str,
) -> schemas.TrackSearchResults:
    """Faceted track search: the query (optional), the facets, the order, and the counts of
    the matches per genre, musical key and format."""
    text = checked_query(q, required=False)
    query = parse(text)
    sort = (sort_by or ("relevance" if not query.empty else "created_at")).strip().lower()
    if sort not in SORTS:
        raise ValidationFailed.field("sort_by", "must be one of " + ", ".join(SORTS), sort_by)
    order = (sort_order or "desc").strip().lower()
    if order not in ("asc", "desc"):
        raise ValidationFailed.field("sort_order", "must be asc or desc", sort_order)
    paging = PageParams(page=checked_page(page), limit=checked_limit(limit))
    match = None if query.empty else await prepared(session, engine.TRACKS, query, engine.KINDS)
    statement = repository.filtered_tracks(viewer, match, filters)
    if sort == "relevance" and match is not None:
        tracks, total = await repository.relevance_page(
            session, viewer, match, filters, text, offset=paging.offset, limit=paging.limit
        )
    else:
        tracks, total = await repository.ordered_page(
            session, statement, _track_order(sort, order == "desc"), paging.offset, paging.limit
        )
    results = schemas.TrackSearchResults(
        tracks=[track_response(track, public_url, viewer) for track in tracks],
        pagination=pagination(paging, total),
        facets=schemas.FacetCounts(**await repository.facet_counts(session, statement)),
    )
    if total == 0 and match is not None:
        results.did_you_mean = await vocabulary.did_you_mean(session, query, engine.KINDS)
    return results


# GET /playlists/search -----------------------------------------------------------------------


async def playlist_search(
    session: AsyncSession, viewer: User | None, q: str | None, paging: PageParams
) -> schemas.PlaylistSearchResults:
    """Playlists the viewer may read, by title (and description); without a query, the newest."""
    text = checked_query(q, required=False)
    query = parse(text)
    kind = engine.PLAYLISTS
    if query.empty:
        statement = repository.readable(kind, viewer)
        order = [repository.CREATED[kind].desc(), repository.IDS[kind].desc()]
        rows, total = await repository.ordered_page(
            session, statement, order, paging.offset, paging.limit
        )
        did_you_mean = None
    else:
        match = await prepared(session, kind, query, [kind])
        rows, total = await repository.ranked_page(
            session, kind, viewer, match, text, offset=paging.offset, limit=paging.limit
        )
        did_you_mean = None if total else await vocabulary.did_you_mean(session, query, [kind])
    return schemas.PlaylistSearchResults(
        playlists=[schemas.PlaylistHit.model_validate(row) for row in rows],
        pagination=pagination(paging, total),
        did_you_mean=did_you_mean,
    )
