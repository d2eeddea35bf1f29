"""Media storage: one interface, two backends chosen by configuration.

- ``LocalStorage`` keeps files under ``settings.media_dir`` (the embedded default).
- ``S3Storage`` keeps them in an S3-compatible bucket (AWS, MinIO, Garage, R2...) through boto3,
  and hands out presigned URLs so clients fetch the bytes from the bucket directly.

Keys are relative POSIX paths that the server generates (``tracks/<user>/<track>/<uuid>.mp3``);
a client-supplied name never becomes a path. ``validate_key`` refuses anything else, so even a
bug upstream cannot make the local backend write outside its root.

boto3 is synchronous: its calls run in a worker thread so the event loop never blocks on the
network. Files are copied in a thread for the same reason.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from veza.config import Settings
from veza.kit import private_files
from veza.kit.private_files import DIR_MODE, FILE_MODE, GROUP_DIR_MODE, GROUP_FILE_MODE
from veza.kit.staging import Staging

_KEY_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")


class StorageError(Exception):
    """A storage operation failed (missing object, backend unreachable...)."""


class ObjectNotFound(StorageError):
    pass


def validate_key(key: str) -> str:
    """A key is a relative path of safe segments: no '..', no absolute path, no odd bytes."""
    if len(key) > 1024 or not _KEY_RE.match(key) or ".." in key.split("/"):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    modified_at: datetime


class Storage(ABC):
    """What the domains need from a media store."""

    name: str
    # Where uploads are written before they are stored: a temporary directory on local disk
    # (inside the media root for the local backend, so storing is a rename).
    staging_dir: Path

    @cached_property
    def staging(self) -> Staging:
        return Staging(self.staging_dir)

    def new_staging_path(self, suffix: str = "") -> Path:
        """A fresh path in the staging folder, in this process's own part of it, which the
        staging sweep leaves alone while the process lives (kit/staging.py)."""
        # Staged uploads are private whatever mode their writer gives them: nobody else can
        # enter the folder.
        private_files.make_dirs(self.staging_dir)
        return self.staging.new_path(suffix)

    @abstractmethod
    async def put_file(
        self, key: str, source: Path, *, content_type: str | None = None, durable: bool = False
    ) -> None:
        """Store ``source`` under ``key``; the source file is consumed (moved or deleted).
        ``durable``: the stored object survives a crash once this returns (uploads; derived
        files such as HLS segments can be made again and skip the cost)."""

    @abstractmethod
    async def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        """Store small content (playlists, JSON) under ``key``."""

    @abstractmethod
    async def get_bytes(self, key: str) -> bytes:
        """Small content back (raises ObjectNotFound)."""

    @abstractmethod
    async def download_to(self, key: str, destination: Path) -> None:
        """Copy the object to a local file (raises ObjectNotFound)."""

    @abstractmethod
    async def stat(self, key: str) -> ObjectInfo:
        """Size and modification time (raises ObjectNotFound)."""

    async def exists(self, key: str) -> bool:
        try:
            await self.stat(key)
        except ObjectNotFound:
            return False
        return True

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove one object; a missing one is not an error."""

    @abstractmethod
    async def delete_prefix(self, prefix: str) -> None:
        """Remove every object whose key starts with ``prefix/``."""

    @abstractmethod
    async def list_keys(self, prefix: str) -> list[str]:
        """Keys under ``prefix/``, sorted."""

    def local_path(self, key: str) -> Path | None:
        """The file on local disk holding ``key``, when the backend has one (local only)."""
        return None

    async def presigned_url(
        self,
        key: str,
        *,
        ttl_seconds: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str | None:
        """A time-limited URL the client fetches directly (object storage only)."""
        return None


class LocalStorage(Storage):
    """Files under ``root``, readable by the service's account alone, or by its group too when
    ``group_readable`` (nginx serving them with X-Accel-Redirect)."""

    name = "local"

    def __init__(self, root: Path, *, group_readable: bool = False) -> None:
        self.root = root.resolve()
        self.staging_dir = self.root / ".staging"
        self.file_mode = GROUP_FILE_MODE if group_readable else FILE_MODE
        self.dir_mode = GROUP_DIR_MODE if group_readable else DIR_MODE

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if not path.is_relative_to(self.root):  # belt and braces: validate_key forbids it
            raise ValueError(f"key escapes the media root: {key!r}")
        return path

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    async def put_file(
        self, key: str, source: Path, *, content_type: str | None = None, durable: bool = False
    ) -> None:
        target = self._path(key)

        def _move() -> None:
            private_files.make_dirs(target.parent, self.dir_mode)
            os.chmod(source, self.file_mode)  # before it appears under its key
            try:
                os.replace(source, target)  # same filesystem: atomic rename
            except OSError:
                temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
                shutil.copyfile(source, temporary)
                os.chmod(temporary, self.file_mode)
                if durable:
                    _fsync(temporary)  # the source was synced; the copy is a new file
                os.replace(temporary, target)
                source.unlink(missing_ok=True)
            if durable:
                _fsync(target.parent)  # the new name survives a crash too

        await asyncio.to_thread(_move)

    async def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        target = self._path(key)

        def _write() -> None:
            private_files.make_dirs(target.parent, self.dir_mode)
            temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
            private_files.create_file(temporary, data, self.file_mode)
            os.replace(temporary, target)

        await asyncio.to_thread(_write)

    async def get_bytes(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc

    async def download_to(self, key: str, destination: Path) -> None:
        path = self._path(key)
        try:
            await asyncio.to_thread(shutil.copyfile, path, destination)
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc

    async def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        try:
            result = await asyncio.to_thread(path.stat)
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc
        return ObjectInfo(result.st_size, datetime.fromtimestamp(result.st_mtime, UTC))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def delete_prefix(self, prefix: str) -> None:
        await asyncio.to_thread(shutil.rmtree, self._path(prefix), True)

    async def list_keys(self, prefix: str) -> list[str]:
        base = self._path(prefix)

        def _walk() -> list[str]:
            if not base.is_dir():
                return []
            return sorted(
                path.relative_to(self.root).as_posix() for path in base.rglob("*") if path.is_file()
            )

        return await asyncio.to_thread(_walk)


class S3Storage(Storage):
    name = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        staging_dir: Path,
        region: str = "us-east-1",
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
        path_style: bool = True,
    ) -> None:
        import boto3
        from botocore.config import Config

        if not bucket:
            raise ValueError("VEZA_STORAGE__S3_BUCKET is required with the s3 backend")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.staging_dir = staging_dir
        self.client: Any = boto3.client(
            "s3",
            region_name=region,
            endpoint_url=endpoint_url or None,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path" if path_style else "auto"},
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def _key(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _unprefixed(self, full_key: str) -> str:
        return full_key[len(self.prefix) + 1 :] if self.prefix else full_key

    @staticmethod
    def _is_missing(exc: Exception) -> bool:
        response = getattr(exc, "response", None) or {}
        code = str(response.get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    async def put_file(
        self, key: str, source: Path, *, content_type: str | None = None, durable: bool = False
    ) -> None:
        # ``durable`` needs nothing here: an object store acknowledges a PUT once it is durable.
        extra = {"ContentType": content_type} if content_type else None
        try:
            # upload_file switches to a multipart upload for large files.
            await asyncio.to_thread(
                self.client.upload_file, str(source), self.bucket, self._key(key), ExtraArgs=extra
            )
        finally:
            await asyncio.to_thread(source.unlink, True)

    async def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=self._key(key), Body=data, **extra
        )

    async def get_bytes(self, key: str) -> bytes:
        def _get() -> bytes:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
            try:
                return bytes(body.read())
            finally:
                body.close()

        try:
            return await asyncio.to_thread(_get)
        except Exception as exc:
            if self._is_missing(exc):
                raise ObjectNotFound(key) from exc
            raise

    async def download_to(self, key: str, destination: Path) -> None:
        try:
            await asyncio.to_thread(
                self.client.download_file, self.bucket, self._key(key), str(destination)
            )
        except Exception as exc:
            if self._is_missing(exc):
                raise ObjectNotFound(key) from exc
            raise

    async def stat(self, key: str) -> ObjectInfo:
        try:
            head = await asyncio.to_thread(
                self.client.head_object, Bucket=self.bucket, Key=self._key(key)
            )
        except Exception as exc:
            if self._is_missing(exc):
                raise ObjectNotFound(key) from exc
            raise
        return ObjectInfo(int(head["ContentLength"]), head["LastModified"].astimezone(UTC))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self._key(key))

    async def _list_full_keys(self, prefix: str) -> list[str]:
        def _list() -> list[str]:
            keys: list[str] = []
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix) + "/"):
                keys.extend(item["Key"] for item in page.get("Contents", []))
            return sorted(keys)

        return await asyncio.to_thread(_list)

    async def delete_prefix(self, prefix: str) -> None:
        keys = await self._list_full_keys(prefix)
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            await asyncio.to_thread(
                self.client.delete_objects,
                Bucket=self.bucket,
                Delete={"Objects": batch, "Quiet": True},
            )

    async def list_keys(self, prefix: str) -> list[str]:
        return [self._unprefixed(key) for key in await self._list_full_keys(prefix)]

    async def presigned_url(
        self,
        key: str,
        *,
        ttl_seconds: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str | None:
        params: dict[str, str] = {"Bucket": self.bucket, "Key": self._key(key)}
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        if content_type:
            params["ResponseContentType"] = content_type
        url: str = await asyncio.to_thread(
            self.client.generate_presigned_url,
            "get_object",
            Params=params,
            ExpiresIn=ttl_seconds,
        )
        return url


def _fsync(path: Path) -> None:
    """Flush a file's bytes, or a directory's entries, to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition value with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    from urllib.parse import quote

    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", filename).strip() or "download"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def create_storage(settings: Settings) -> Storage:
    config = settings.storage
    if config.backend == "s3":
        return S3Storage(
            bucket=config.s3_bucket,
            staging_dir=settings.data_dir / "tmp",
            region=config.s3_region,
            endpoint_url=config.s3_endpoint_url or None,
            access_key_id=config.s3_access_key_id.get_secret_value() or None,
            secret_access_key=config.s3_secret_access_key.get_secret_value() or None,
            prefix=config.s3_prefix,
            path_style=config.s3_path_style,
        )
    nginx_reads_media = bool(settings.media.accel_redirect_prefix)
    return LocalStorage(settings.media_dir, group_readable=nginx_reads_media)
