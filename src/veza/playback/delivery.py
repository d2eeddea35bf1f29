"""Answering with a stored file, whatever the storage: a presigned redirect (object storage), an
X-Accel-Redirect hand-off to nginx (when configured), or the bytes themselves with Range,
conditional requests and validators (playback/http.py)."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import RedirectResponse, Response

from veza.kit.errors import RangeNotSatisfiable
from veza.kit.storage import ObjectInfo, ObjectNotFound, Storage
from veza.playback.errors import FileNotFound
from veza.playback.http import (
    FileRangeResponse,
    RangeNotSatisfiableError,
    accel_redirect_uri,
    not_modified,
    parse_range,
    range_applies,
    representation_headers,
    validators,
)


async def deliver(
    storage: Storage,
    key: str,
    request_headers: dict[str, str],
    *,
    content_type: str,
    md5: str | None,
    disposition: str | None,
    presign_filename: str | None,
    ttl_seconds: int,
    accel_prefix: str,
    private: bool,
    info: ObjectInfo | None = None,
    path: Path | None = None,
) -> Response:
    """Answer with a stored file: a presigned redirect (object storage), an X-Accel-Redirect
    hand-off to nginx (when configured), or the bytes with Range support."""
    url = await storage.presigned_url(
        key, ttl_seconds=ttl_seconds, filename=presign_filename, content_type=content_type
    )
    if url is not None:
        return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})
    path = path or storage.local_path(key)
    if path is None:
        raise FileNotFound()
    if accel_prefix:
        # nginx serves the bytes (Range, sendfile); we only decided who may have them.
        headers = representation_headers(
            content_type=content_type, disposition=disposition, private=private
        )
        headers["X-Accel-Redirect"] = accel_redirect_uri(accel_prefix, key)
        return Response(status_code=200, headers=headers)
    if info is None:
        try:
            info = await storage.stat(key)
        except ObjectNotFound as exc:
            raise FileNotFound() from exc
    tag, modified = validators(md5, info.size, info.modified_at)
    headers = representation_headers(
        content_type=content_type,
        etag=tag,
        modified=modified,
        disposition=disposition,
        private=private,
    )
    if not_modified(request_headers, tag, modified):
        del headers["Content-Type"]  # a 304 carries the validators, not the representation's type
        return Response(status_code=304, headers=headers)
    byte_range = None
    if range_applies(request_headers, tag, modified):
        try:
            byte_range = parse_range(request_headers.get("range"), info.size)
        except RangeNotSatisfiableError as exc:
            raise RangeNotSatisfiable(headers={"Content-Range": f"bytes */{info.size}"}) from exc
    if byte_range is None:
        return FileRangeResponse(
            path,
            status_code=200,
            offset=0,
            length=info.size,
            headers=headers,
            media_type=content_type,
        )
    headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{info.size}"
    return FileRangeResponse(
        path,
        status_code=206,
        offset=byte_range.start,
        length=byte_range.length,
        headers=headers,
        media_type=content_type,
    )
