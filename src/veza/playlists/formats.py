"""Exports of a readable playlist: JSPF (the JSON form of XSPF that ListenBrainz uses), M3U8
and XSPF. Each lists the tracks the caller is shown, in order, with the API's links to each
track (``identifier``) and its stream (``location``)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.kit.lazy import LazyModule
from veza.models import User
from veza.models.track import Track
from veza.playlists import entry_queries
from veza.playlists.access import readable_playlist
from veza.playlists.dependencies import PlaylistTools

if TYPE_CHECKING:
    from xml.etree import ElementTree
else:
    ElementTree = LazyModule("xml.etree.ElementTree")  # 0.5 MiB, with the first XSPF export

ExportFormat = Literal["jspf", "m3u8", "xspf"]
FORMATS: dict[str, str] = {
    "jspf": "application/jspf+json",
    "m3u8": "application/vnd.apple.mpegurl",
    "xspf": "application/xspf+xml",
}
XSPF_NS = "http://xspf.org/ns/0/"


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str


def _links(public_url: str, track: Track) -> tuple[str, str]:
    base = f"{public_url}/api/v1/tracks/{track.id}"
    return base, f"{base}/stream"


def _jspf(title: str, annotation: str | None, creator: str, items: list[dict[str, Any]]) -> bytes:
    playlist: dict[str, Any] = {"title": title, "creator": creator, "track": items}
    if annotation:
        playlist["annotation"] = annotation
    return json.dumps({"playlist": playlist}, ensure_ascii=False, indent=2).encode()


def _item(track: Track, public_url: str) -> dict[str, Any]:
    identifier, location = _links(public_url, track)
    item: dict[str, Any] = {
        "title": track.title,
        "identifier": [identifier],
        "location": [location],
    }
    if track.artist:
        item["creator"] = track.artist
    if track.album:
        item["album"] = track.album
    if track.duration:
        item["duration"] = int(track.duration) * 1000  # milliseconds
    return item


def _m3u8(title: str, tracks: list[Track], public_url: str) -> bytes:
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title)}"]
    for track in tracks:
        shown = f"{track.artist} - {track.title}" if track.artist else track.title
        lines.append(f"#EXTINF:{int(track.duration or -1)},{_one_line(shown)}")
        lines.append(_links(public_url, track)[1])
    return ("\n".join(lines) + "\n").encode()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _xspf(title: str, annotation: str | None, creator: str, items: list[dict[str, Any]]) -> bytes:
    ElementTree.register_namespace("", XSPF_NS)
    root = ElementTree.Element(f"{{{XSPF_NS}}}playlist", version="1")
    ElementTree.SubElement(root, f"{{{XSPF_NS}}}title").text = title
    ElementTree.SubElement(root, f"{{{XSPF_NS}}}creator").text = creator
    if annotation:
        ElementTree.SubElement(root, f"{{{XSPF_NS}}}annotation").text = annotation
    track_list = ElementTree.SubElement(root, f"{{{XSPF_NS}}}trackList")
    for item in items:
        node = ElementTree.SubElement(track_list, f"{{{XSPF_NS}}}track")
        for key in ("location", "identifier"):
            ElementTree.SubElement(node, f"{{{XSPF_NS}}}{key}").text = item[key][0]
        for key in ("title", "creator", "album", "duration"):
            if key in item:
                ElementTree.SubElement(node, f"{{{XSPF_NS}}}{key}").text = str(item[key])
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


async def export_playlist(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    format: str | None,
    *,
    tools: PlaylistTools,
) -> Export:
    kind = (format or "jspf").strip().lower()
    if kind not in FORMATS:
        raise ValidationFailed.field("format", f"must be one of {', '.join(FORMATS)}", format)
    access = await readable_playlist(session, playlist_id, user)
    playlist = access.playlist
    # Rows holding the tracks' columns under the Track's names.
    tracks = cast(list[Track], await entry_queries.shown_entries(session, playlist.id, user))
    owner = await session.get(User, playlist.user_id)
    creator = owner.username if owner is not None else ""
    if kind == "m3u8":
        content = _m3u8(playlist.title, tracks, tools.public_url)
    else:
        items = [_item(track, tools.public_url) for track in tracks]
        build = _jspf if kind == "jspf" else _xspf
        content = build(playlist.title, playlist.description, creator, items)
    return Export(content, FORMATS[kind], f"playlist-{playlist.id}.{kind}")
