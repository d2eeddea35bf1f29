"""Downloads of what a buyer bought, and the check the track downloads of playback make.

``GET /marketplace/download/{product_id}`` answers a map of file names to short-lived URLs:
an S3 presigned URL where the storage is S3, else a signed local URL
(``/api/v1/marketplace/files/{token}``, a JWT of its own kind and audience naming the order
item, expiring after ``VEZA_MARKETPLACE__DOWNLOAD_URL_TTL_SECONDS``). Serving that URL checks
the signature and expiry, then again that the purchase is paid and not refunded.

What a buyer bought stays downloadable after the seller deletes the track: a paid order holds
the track's files (kit/files.py ``hold``), and the item keeps the key of the audio it was sold
with, used once the track's row is gone.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import Unauthorized
from veza.marketplace import repository
from veza.marketplace.errors import NoLicense, ProductNotFound
from veza.marketplace.tools import MarketTools
from veza.models import OrderItem, Track, User
from veza.tracks.repository import get_track

DOWNLOAD_TOKEN_TYPE = "marketplace_download"
DOWNLOAD_AUDIENCE = "veza-marketplace"
FILES_PATH = "/api/v1/marketplace/files"


@dataclass(frozen=True)
class PurchasedFile:
    path: Path
    filename: str


_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def file_name_of(track: Track) -> str:
    """ "Artist - Title.ext", safe as a file name."""
    base = f"{track.artist} - {track.title}" if track.artist else track.title
    base = _UNSAFE_FILENAME.sub("_", base).strip(" .") or "track"
    return f"{base[:150]}.{track.format or 'bin'}"


async def _file_of(session: AsyncSession, item: OrderItem) -> tuple[str, str] | None:
    """The audio of a purchased track: the track's current file while its row exists (the
    seller's fixes reach buyers), else the file it was sold with."""
    if item.track_id is None:
        return None
    track = await get_track(session, item.track_id)
    if track is not None and track.file_path:
        return track.file_path, file_name_of(track)
    if item.file_key:
        return item.file_key, item.file_name or item.file_key.rsplit("/", 1)[-1]
    return None


async def download_urls(
    session: AsyncSession, buyer: User, product_id: uuid.UUID, *, tools: MarketTools
) -> dict[str, str]:
    """File name -> URL for a buyer holding a paid purchase of the product; 403 for anyone
    else who may see the product, 404 for an unknown one. A product without files (a
    service) answers an empty map."""
    item = await repository.paid_item_of_product(session, buyer.id, product_id)
    if item is None:
        if not await repository.is_readable(session, product_id, buyer):
            raise ProductNotFound()
        raise NoLicense()
    found = await _file_of(session, item)
    if found is None:
        return {}
    key, name = found
    ttl = tools.settings.download_url_ttl_seconds
    url = await tools.storage.presigned_url(key, ttl_seconds=ttl, filename=name)
    if url is None:
        token = tools.tokens.encode(
            subject=str(buyer.id),
            typ=DOWNLOAD_TOKEN_TYPE,
            ttl_seconds=ttl,
            audience=DOWNLOAD_AUDIENCE,
            claims={"item": str(item.id)},
        )
        url = f"{tools.public_url.rstrip('/')}{FILES_PATH}/{token}"
    return {name: url}


async def purchased_file(session: AsyncSession, token: str, *, tools: MarketTools) -> PurchasedFile:
    """The file a signed local URL names, if it has not expired and the purchase still holds."""
    claims = tools.tokens.decode(token, typ=DOWNLOAD_TOKEN_TYPE, audience=DOWNLOAD_AUDIENCE)
    try:
        buyer_id, item_id = uuid.UUID(str(claims["sub"])), uuid.UUID(str(claims["item"]))
    except (KeyError, ValueError) as exc:
        raise Unauthorized("Invalid token", code="INVALID_TOKEN") from exc
    item = await repository.paid_item(session, buyer_id, item_id)
    if item is None:
        raise NoLicense()
    found = await _file_of(session, item)
    path = tools.storage.local_path(found[0]) if found else None
    if found is None or path is None or not path.is_file():
        raise ProductNotFound("The purchased file is no longer available")
    return PurchasedFile(path, found[1])


async def track_download_granted(session: AsyncSession, track: Track, viewer: User | None) -> bool:
    """The licence check of ``GET /tracks/{id}/download``: a track on sale (an active product
    of it, or its exclusive license sold) is downloaded only by a buyer holding a paid
    purchase of it; any other track by whoever may open it."""
    if not await repository.track_is_on_sale(session, track.id):
        return True
    return viewer is not None and await repository.holds_paid_track(session, viewer.id, track.id)
