"""Settings, grouped by concern, all read from VEZA_* environment variables or a .env file.

Each group is its own model so that a domain depends only on the settings it reads.
Nested groups are read with a double underscore, e.g. VEZA_AUTH__ACCESS_TOKEN_TTL_SECONDS;
the most common settings also have a flat alias (VEZA_DATABASE_URL, VEZA_DATA_DIR, ...).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=18080, ge=1, le=65535)
    workers: int = 1
    # Largest request body accepted outside the upload endpoints, in bytes.
    max_body_bytes: int = 1 * 1024 * 1024
    # Largest request body accepted on upload endpoints (single upload and chunks), in bytes.
    max_upload_bytes: int = 500 * 1024 * 1024
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:5173"])
    cors_allow_credentials: bool = True
    # Sent as Strict-Transport-Security when true; only meaningful behind TLS.
    hsts: bool = False
    # Base URL clients reach this API at, for the links responses carry (waveform, HLS
    # manifest, share links). Empty means http://<host>:<port> of this server.
    public_url: str = ""
    # The web app's base URL: links sent by mail (verify email, reset password) and share links
    # (<frontend_url>/shared/<token>) open its pages. Empty means this API's own: the minimal
    # pages <public_url>/account/verify-email and /account/reset-password, and share links to
    # GET /api/v1/tracks/shared/<token>.
    frontend_url: str = ""
    # Proxies trusted for X-Forwarded-For/-Proto (comma-separated IPs, or "*"). Behind a load
    # balancer, set its address: client IPs feed rate limits, play deduplication and audit.
    forwarded_allow_ips: str = "127.0.0.1"
    # Bearer token /metrics asks every client for; empty means /metrics answers loopback
    # clients only (a Prometheus on the same machine, or one behind a proxy that sets it).
    metrics_token: SecretStr = SecretStr("")
    # glibc malloc arenas `veza serve` and `veza worker` may use (kit/native_memory.py): few
    # arenas keep the resident size flat under long varied traffic; 0 keeps glibc's default
    # of eight per core.
    malloc_arena_max: int = Field(default=2, ge=0)

    @field_validator("public_url")
    @classmethod
    def _checked_public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("must be an http(s) URL such as https://music.example.org")
            if parts.query or parts.fragment:
                raise ValueError("must not have a query or a fragment")
        return value

    @model_validator(mode="after")
    def _public_url_from_host_and_port(self) -> ServerSettings:
        if not self.public_url:
            self.public_url = f"http://{_reachable_host(self.host)}:{self.port}"
        return self


# Bind addresses that mean "every interface" (not a place a client can connect to).
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104


def _reachable_host(host: str) -> str:
    """The address a local client uses for ``host``: a wildcard bind is reached on loopback."""
    if host in _WILDCARD_HOSTS:
        return "[::1]" if ":" in host else "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def default_data_dir() -> Path:
    """$XDG_DATA_HOME/veza, else ~/.local/share/veza: the same folder wherever a command runs."""
    base = Path(os.environ.get("XDG_DATA_HOME", "").strip())
    # The XDG base directory rules ignore a relative value.
    return (base if base.is_absolute() else Path.home() / ".local" / "share") / "veza"


class DatabaseSettings(BaseModel):
    # Empty means the embedded SQLite database at <data_dir>/veza.db.
    url: str = ""
    echo: bool = False
    pool_size: int = 10
    max_overflow: int = 10
    # A pooled server connection idle longer than this is tested before use (kit/db.py).
    ping_after_idle_seconds: float = Field(default=10.0, ge=0)
    sqlite_busy_timeout_ms: int = 5000


class AuthSettings(BaseModel):
    # Empty means a key generated once and kept in <data_dir>/jwt.key (fine for one machine;
    # set it explicitly when several processes or machines serve the API).
    jwt_secret: SecretStr = SecretStr("")
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str = "veza"
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 24 * 3600
    refresh_token_remember_ttl_seconds: int = 30 * 24 * 3600
    stream_token_ttl_seconds: int = 300
    chat_token_ttl_seconds: int = 300
    require_verified_email: bool = True
    # Secure flag on the refresh cookie; turn off only for local plain-http development.
    cookie_secure: bool = True
    refresh_cookie_name: str = "refresh_token"
    # Seconds during which a refresh token presented again, after it was exchanged, gets the
    # same new refresh token instead of counting as reuse (two tabs refreshing at once); 0
    # turns the grace off. After it, a second presentation still revokes the whole family.
    refresh_reuse_grace_seconds: int = 10
    # Issuer shown by authenticator apps next to the account (otpauth:// URI).
    two_factor_issuer: str = "Veza"
    # Key that encrypts TOTP secrets at rest (any long random string). Empty means a key
    # derived from the JWT secret; set this one before ever rotating the JWT secret, or the
    # secrets encrypted so far can no longer be read (secrets sealed with the derived key are
    # still read, and sealed again with this one on their next use).
    two_factor_encryption_key: SecretStr = SecretStr("")
    # Key expected in X-Internal-API-Key on /internal/* (empty disables those endpoints).
    internal_api_key: SecretStr = SecretStr("")


class LogSettings(BaseModel):
    level: str = "INFO"
    # "json" for machines, "console" for a human at a terminal.
    format: Literal["json", "console"] = "json"


class StorageSettings(BaseModel):
    """Where media files live: the local filesystem (default) or S3-compatible object storage."""

    backend: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    # Empty means AWS itself; set it for MinIO, Garage, Ceph, R2... (e.g. http://127.0.0.1:9000).
    s3_endpoint_url: str = ""
    s3_access_key_id: SecretStr = SecretStr("")
    s3_secret_access_key: SecretStr = SecretStr("")
    # Prefix prepended to every key, so one bucket can hold several deployments.
    s3_prefix: str = ""
    # Path-style addressing (bucket in the path), which MinIO and most self-hosted servers need.
    s3_path_style: bool = True


class MediaSettings(BaseModel):
    """Uploads, processing and playback of audio files."""

    # Largest audio file accepted (single upload or the total of a chunked one), in bytes.
    max_file_bytes: int = 500 * 1024 * 1024
    # Storage quota per user, in bytes (administrators have none).
    user_quota_bytes: int = 5 * 1024 * 1024 * 1024
    # Largest chunk of a chunked upload, in bytes.
    max_chunk_bytes: int = 64 * 1024 * 1024
    max_chunks: int = 10_000
    # How long an unfinished chunked upload is kept (its parts are then removed).
    upload_session_ttl_seconds: int = 24 * 3600
    # Longest audio accepted, in seconds: processing's outputs (HLS, waveform) and its CPU time
    # grow with the duration, and a long silence compresses to almost nothing.
    max_duration_seconds: int = 3 * 3600
    # Age after which what a stopped process left in the staging folder (a killed upload's
    # partial file, a processing work folder) is swept; a live process's files never are.
    staging_max_age_seconds: int = 3600
    # AAC HLS renditions made by the processing job and served under /hls/.
    hls_enabled: bool = True
    hls_bitrates_kbps: list[int] = Field(default_factory=lambda: [64, 160])
    hls_segment_seconds: int = 6
    # When set (e.g. "/protected-media"), local files are handed to nginx with X-Accel-Redirect
    # after the permission check; nginx must map that internal location to the media directory.
    accel_redirect_prefix: str = ""
    # Lifetimes of the presigned URLs that S3-backed files redirect to.
    stream_url_ttl_seconds: int = 15 * 60
    download_url_ttl_seconds: int = 30 * 60
    # Seconds a process remembers a public track's file for anonymous playback (0: never).
    playback_cache_seconds: float = 5.0
    # Seconds a process remembers that a stream or access token may play a track, so the Range
    # requests that follow skip the token check (0: check every request).
    stream_grant_seconds: float = 5.0


class JobSettings(BaseModel):
    """Background jobs: arq over Redis when VEZA_REDIS_URL is set, in-process otherwise."""

    # Times a job is started for the same work before the work is declared failed.
    max_attempts: int = 3
    # Seconds one job may run before it is cancelled (arq only).
    timeout_seconds: int = 3600
    # How often abandoned uploads are swept, in seconds.
    cleanup_interval_seconds: int = 3600
    # Name of the arq queue in Redis, so several deployments can share one Redis.
    queue_name: str = "veza:jobs"


class SocialSettings(BaseModel):
    """Profiles and the social graph."""

    # Least time between two changes of one's own username (administrators are not limited).
    username_change_interval_days: int = 30


class CommentSettings(BaseModel):
    """Comments on tracks."""

    # Comments (and replies) one user may post (`limits` notation); beyond it, 429.
    posts_per_user: str = "20 per minute"


class MarketplaceSettings(BaseModel):
    """The marketplace (VEZA_MARKETPLACE__...)."""

    # ISO 4217 code of every price and order (amounts are integer cents of it).
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    # The built-in sandbox provider pays an order as soon as it is made; false leaves orders
    # pending until `veza marketplace pay|fail` (or a test) moves them on.
    sandbox_auto_pay: bool = True
    # How long after payment a buyer may ask for a refund.
    refund_window_days: int = Field(default=14, ge=0)
    # Lifetime of a download URL (the signed local URL or the S3 presigned one).
    download_url_ttl_seconds: int = Field(default=300, ge=10, le=86400)


class WebhookSettings(BaseModel):
    """Outgoing webhooks (VEZA_WEBHOOKS__*): Standard Webhooks deliveries through the job queue."""

    # Key that encrypts the signing keys at rest (any long random string). Empty means a key
    # derived from the JWT secret; set this one before ever rotating the JWT secret, or the
    # stored signing keys can no longer be opened (keys sealed with the derived one still are).
    encryption_key: SecretStr = SecretStr("")
    # Seconds a delivery may take in all (resolving, connecting, sending, reading the answer).
    timeout_seconds: float = 10.0
    # Bytes of a receiver's answer kept in the delivery log.
    response_capture_bytes: int = 1024
    # Waits before each retry, in seconds (the first attempt is immediate): after the last one
    # fails the delivery is given up. Standard Webhooks' and Svix's schedule by default.
    retry_schedule_seconds: list[int] = Field(
        default_factory=lambda: [5, 300, 1800, 7200, 18000, 36000, 36000]
    )
    # How often due retries are looked for, in seconds.
    retry_sweep_seconds: int = 30
    # A webhook whose deliveries have failed without a success for this long, and at least
    # disable_after_failures times in a row, is disabled and its owner notified.
    disable_after_seconds: int = 5 * 24 * 3600
    disable_after_failures: int = 10
    # Days the delivery log (every attempt, its answer) is kept.
    log_retention_days: int = 30
    # Webhooks one user may register.
    max_per_user: int = 20
    # Allow targets on loopback addresses (127.0.0.0/8, ::1): development and tests only.
    # Private, link-local, metadata and other inward addresses are refused whatever this says.
    allow_loopback: bool = False


class SubsonicSettings(BaseModel):
    """The OpenSubsonic API under /rest (VEZA_SUBSONIC__*, docs/SUBSONIC.md)."""

    # Serve /rest at all.
    enabled: bool = True
    # Key that seals the Subsonic passwords at rest (token+salt needs them readable). Empty
    # means a key derived from the JWT secret (set one before ever rotating that secret).
    encryption_key: SecretStr = SecretStr("")
    # The most items one list answer holds (getAlbumList2, getRandomSongs, search3 sizes).
    max_list_size: int = 500


class AuditSettings(BaseModel):
    """The audit trail (VEZA_AUDIT__*)."""

    # Days audit rows are kept; the periodic sweep deletes older ones (0 keeps them forever).
    retention_days: int = 365
    # How often the sweep runs, in seconds.
    sweep_interval_seconds: int = 24 * 3600
    # How often rows not yet chained are sealed into the hash chain, in seconds (rows are
    # also sealed right after the transaction that wrote them commits).
    seal_interval_seconds: int = 60


class PlaylistSettings(BaseModel):
    """Playlists."""

    # Most entries one playlist may hold (adds, imports and duplicates beyond it are refused).
    max_tracks: int = Field(default=10_000, ge=1)


class CatalogSettings(BaseModel):
    """The track catalog's totals (GET /tracks): exact up to ``exact_count_up_to`` matching
    tracks, beyond that a count shared by the process and refreshed every
    ``count_cache_seconds`` (tracks/counts.py)."""

    exact_count_up_to: int = Field(default=1000, ge=0)
    count_cache_seconds: float = Field(default=10.0, ge=0)


class SearchSettings(BaseModel):
    """Search and discovery."""

    # Trending hashtags count public content published in this window...
    trending_window_hours: int = Field(default=168, ge=1)
    # ...and are recomputed at most this often per process.
    trending_cache_seconds: float = Field(default=60.0, ge=0)


class QueueSettings(BaseModel):
    """The personal play queue, listening sessions and their live sockets."""

    # Items one user's queue may hold (readable or not); beyond it, 400 QUEUE_FULL.
    max_items: int = Field(default=1000, ge=1)
    # Items one listening session may hold; beyond it, 400 SESSION_FULL.
    session_max_items: int = Field(default=500, ge=1)
    # Tracks one user may add to listening sessions (`limits` notation); beyond it, 429.
    session_adds_per_user: str = "30 per minute"
    # Seconds between the heartbeats a live socket sends when nothing else was sent.
    heartbeat_seconds: float = Field(default=20.0, gt=0)
    # Messages a live socket may have waiting to be sent; a client that lets more pile up
    # (it does not read) is disconnected, so a slow reader never costs unbounded memory.
    send_buffer_messages: int = Field(default=256, ge=1)
    # Seconds one message may take to be written to a socket before the client is dropped.
    send_timeout_seconds: float = Field(default=10.0, gt=0)


class SmtpSettings(BaseModel):
    """Outgoing mail (VEZA_SMTP__HOST, VEZA_SMTP__PORT, ...). Without a host, mails are written
    as .eml files to <data_dir>/mail, except in production, where they are not delivered."""

    host: str = ""
    port: int = 587
    username: str = ""
    password: SecretStr = SecretStr("")
    # STARTTLS after connecting (port 587); use_tls is implicit TLS from the start (port 465).
    starttls: bool = True
    use_tls: bool = False
    from_address: str = "Veza <no-reply@localhost>"
    timeout_seconds: float = 10.0


class RateLimitSettings(BaseModel):
    """Limits in the `limits` notation ("10 per 15 minutes"); Redis-backed when VEZA_REDIS_URL
    is set, per process otherwise."""

    # Failed logins (wrong password or 2FA code) allowed per account, then per client IP.
    login_failures_per_account: str = "10 per 15 minutes"
    login_failures_per_ip: str = "50 per 15 minutes"
    # Registrations accepted from one client IP; beyond it, 429 with Retry-After.
    registrations_per_ip: str = "20 per hour"
    # Verification and reset mails sent to one address; extra requests are answered the
    # same way but send nothing (the answer must not reveal whether the address exists).
    mails_per_address: str = "5 per hour"
    # Key prefix in the shared storage, so several deployments can share one Redis.
    key_prefix: str = "veza"
    # Without Redis: keys (accounts, client IPs) one process keeps counts for; past it, the
    # oldest key's count is forgotten. About 500 bytes each (a failed login counts two keys).
    memory_max_keys: int = Field(default=50_000, ge=10)


class WebRTCSettings(BaseSettings):
    """Read from the contract's own unprefixed variable names (see the spec README)."""

    model_config = SettingsConfigDict(env_prefix="WEBRTC_", extra="ignore")

    stun_urls: str = "stun:stun.l.google.com:19302"
    turn_urls: str = ""
    turn_username: SecretStr = SecretStr("")
    turn_credential: SecretStr = SecretStr("")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VEZA_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Literal["development", "production", "test"] = "development"
    # Every command uses this one folder; see default_data_dir() when it is not set.
    data_dir: Path = Field(default_factory=default_data_dir)
    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    media: MediaSettings = Field(default_factory=MediaSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    social: SocialSettings = Field(default_factory=SocialSettings)
    comments: CommentSettings = Field(default_factory=CommentSettings)
    marketplace: MarketplaceSettings = Field(default_factory=MarketplaceSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    playlists: PlaylistSettings = Field(default_factory=PlaylistSettings)
    subsonic: SubsonicSettings = Field(default_factory=SubsonicSettings)
    catalog: CatalogSettings = Field(default_factory=CatalogSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    # Flat aliases for the settings people set most often.
    database_url: str = Field(
        default="", validation_alias=AliasChoices("VEZA_DATABASE_URL", "database_url")
    )
    redis_url: str = Field(default="", validation_alias=AliasChoices("VEZA_REDIS_URL", "redis_url"))

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir_or_default(cls, value: Any) -> Any:
        # VEZA_DATA_DIR= (empty) would otherwise mean the working directory.
        return default_data_dir() if value is None or str(value).strip() == "" else value

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        url = self.database_url or self.database.url
        if url:
            return url
        return f"sqlite+aiosqlite:///{self.data_dir / 'veza.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def ensure_dirs(self) -> None:
        """The data folders, created for the service's account alone (0700). With
        X-Accel-Redirect, nginx must reach the media files: the folders on its way are 0750
        (kit/private_files.py explains the modes; existing folders are left as they are)."""
        shared = 0o750 if self.media.accel_redirect_prefix else 0o700
        for directory, mode in (
            (self.data_dir, shared),
            (self.media_dir, shared),
            (self.mail_dir, 0o700),
        ):
            directory.mkdir(mode=mode, parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()


@lru_cache
def get_webrtc_settings() -> WebRTCSettings:
    return WebRTCSettings()
