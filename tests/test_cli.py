"""The `veza` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veza.cli import app as cli
from veza.config import get_settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VEZA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VEZA_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_migrate_creates_the_embedded_database(data_dir: Path) -> None:
    result = runner.invoke(cli, ["migrate"])
    assert result.exit_code == 0, result.output
    assert (data_dir / "veza.db").exists()
    assert (data_dir / "media").is_dir() and (data_dir / "mail").is_dir()


def test_create_admin_then_refuses_a_duplicate(data_dir: Path) -> None:
    args = [
        "create-admin",
        "--email",
        "Root@Example.com",
        "--username",
        "root",
        "--password",
        "x" * 16,
    ]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    again = runner.invoke(cli, [*args[:-1], "y" * 16])
    assert again.exit_code != 0
    assert "already taken" in again.output


def test_create_admin_validates_its_input(data_dir: Path) -> None:
    result = runner.invoke(
        cli, ["create-admin", "--email", "a@b.co", "--username", "ok_name", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "12 characters" in result.output


def test_openapi_prints_the_served_schema(data_dir: Path) -> None:
    result = runner.invoke(cli, ["openapi"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["info"]["version"] == "1.2.0"
    assert "/api/v1/auth/login" in schema["paths"]


def test_generated_jwt_key_is_private_and_stable(data_dir: Path) -> None:
    from veza.kit.tokens import load_or_create_secret

    settings = get_settings()
    first = load_or_create_secret(settings)
    assert len(first) >= 64
    assert load_or_create_secret(settings) == first
    key_file = data_dir / "jwt.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in data_dir.iterdir() if p.name.startswith(".jwt")] == []


def test_serve_refuses_several_workers_without_redis(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VEZA_REDIS_URL", raising=False)
    result = runner.invoke(cli, ["serve", "--workers", "2"])
    assert result.exit_code != 0
    assert "VEZA_REDIS_URL" in result.output
