"""Settings, grouped by concern, all read from VEZA_* environment variables or a .env file.

Each group is its own model so that a domain depends only on the settings it reads.
Nested groups are read with a double underscore, e.g. VEZA_AUTH__ACCESS_TOKEN_TTL_SECONDS;
the most common settings also have a flat alias (VEZA_DATABASE_URL, VEZA_DATA_DIR, ...).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 18080
    workers: int = 1
    # Largest request body accepted outside the upload endpoints, in bytes.
    max_body_bytes: int = 1 * 1024 * 1024
    # Largest request body accepted on upload endpoints (single upload and chunks), in bytes.
    max_upload_bytes: int = 500 * 1024 * 1024
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:5173"])
    cors_allow_credentials: bool = True
    # Sent as Strict-Transport-Security when true; only meaningful behind TLS.
    hsts: bool = False
    # Public base URL used in links sent by mail and in manifest URLs.
    public_url: str = "http://127.0.0.1:18080"
    # Web app URL used in links sent by mail (verify email, reset password).
    frontend_url: str = "http://localhost:5173"


class DatabaseSettings(BaseModel):
    # Empty means the embedded SQLite database at <data_dir>/veza.db.
    url: str = ""
    echo: bool = False
    pool_size: int = 10
    max_overflow: int = 10
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
    # Key expected in X-Internal-API-Key on /internal/* (empty disables those endpoints).
    internal_api_key: SecretStr = SecretStr("")


class LogSettings(BaseModel):
    level: str = "INFO"
    # "json" for machines, "console" for a human at a terminal.
    format: Literal["json", "console"] = "json"


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
    data_dir: Path = Path("./var")
    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    # Flat aliases for the settings people set most often.
    database_url: str = Field(
        default="", validation_alias=AliasChoices("VEZA_DATABASE_URL", "database_url")
    )
    redis_url: str = Field(default="", validation_alias=AliasChoices("VEZA_REDIS_URL", "redis_url"))

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
        for directory in (self.data_dir, self.media_dir, self.mail_dir):
            directory.mkdir(parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()


@lru_cache
def get_webrtc_settings() -> WebRTCSettings:
    return WebRTCSettings()
