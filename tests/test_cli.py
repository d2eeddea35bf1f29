"""The `veza` command: one data folder wherever it runs, clear errors, the port taken first."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from veza import cli as cli_module
from veza.cli import app as cli
from veza.cli import without_password
from veza.config import LogSettings, get_settings
from veza.kit.logging import configure_logging

runner = CliRunner()
ADMIN = ["create-admin", "--email", "Root@Example.com", "--username", "root"]
# Variables a command may set or read; each test starts without them and leaves none behind.
_ENVIRONMENT = (
    "VEZA_DATA_DIR",
    "VEZA_DATABASE_URL",
    "VEZA_REDIS_URL",
    "VEZA_SERVER__HOST",
    "VEZA_SERVER__PORT",
    "VEZA_SERVER__PUBLIC_URL",
    "VEZA_LOG__FORMAT",
    "XDG_DATA_HOME",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in _ENVIRONMENT:
        monkeypatch.setenv(name, "")  # recorded, so the teardown removes what a command sets
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    # The commands point the log handler at the runner's captured stderr, gone after the test.
    configure_logging(LogSettings(level="WARNING"))


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VEZA_DATA_DIR", str(tmp_path))
    return tmp_path


def invoke(*args: str) -> Result:
    return runner.invoke(cli, list(args))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def refusal(result: Result) -> str:
    """The error a command stopped with: exit status 1 and a message, never a traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    return result.stderr


def start_line(result: Result) -> dict[str, Any]:
    for line in result.stderr.splitlines():
        if line.startswith("{") and '"veza_starting"' in line:
            entry: dict[str, Any] = json.loads(line)
            return entry
    raise AssertionError(f"no start-up line in {result.stderr!r}")


# One data folder -------------------------------------------------------------------------------


def test_migrate_creates_the_embedded_database(data_dir: Path) -> None:
    result = invoke("migrate")
    assert result.exit_code == 0, result.output
    assert (data_dir / "veza.db").exists()
    assert (data_dir / "media").is_dir() and (data_dir / "mail").is_dir()
    assert f"data folder {data_dir}" in result.stderr


def test_commands_run_from_different_folders_share_one_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    expected = tmp_path / "xdg" / "veza"
    for name in ("here", "there"):
        (tmp_path / name).mkdir()
    monkeypatch.chdir(tmp_path / "here")
    created = invoke(*ADMIN, "--password", "x" * 16)
    assert created.exit_code == 0, created.output
    assert f"data folder {expected}" in created.stderr
    monkeypatch.chdir(tmp_path / "there")
    again = invoke(*ADMIN, "--password", "y" * 16)
    assert again.exit_code != 0
    assert "already taken" in again.output  # the same database, not a new empty one
    assert (expected / "veza.db").exists()
    assert not (tmp_path / "here" / "var").exists() and not (tmp_path / "there" / "var").exists()


def test_without_xdg_data_home_the_folder_is_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    assert get_settings().data_dir == tmp_path / ".local" / "share" / "veza"


def test_an_empty_data_dir_variable_means_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("VEZA_DATA_DIR", "")
    monkeypatch.chdir(tmp_path)
    assert get_settings().data_dir == tmp_path / "veza"


def test_a_database_left_in_var_of_the_working_folder_is_pointed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "veza.db").touch()
    monkeypatch.chdir(tmp_path)
    result = invoke("migrate")
    assert result.exit_code == 0, result.output
    assert f"set VEZA_DATA_DIR={tmp_path / 'var'}" in result.stderr


# Clear errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("VEZA_SERVER__PORT", "eighty", "VEZA_SERVER__PORT: Input should be a valid integer"),
        ("VEZA_SERVER__PORT", "70000", "VEZA_SERVER__PORT: Input should be less than"),
        ("VEZA_SERVER__PUBLIC_URL", "music.example.org", "VEZA_SERVER__PUBLIC_URL: must be an"),
        ("VEZA_SERVER__CORS_ORIGINS", "[not json", "invalid settings"),
    ],
)
def test_bad_settings_are_a_one_line_error(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert says in refusal(invoke("migrate"))


def test_help_needs_no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEZA_SERVER__PORT", "eighty")
    for args in (["--help"], ["serve", "--help"], ["copy-db", "--help"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert "Usage" in result.stdout and "data folder" not in result.output


def test_an_unreachable_database_is_a_one_line_error(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEZA_DATABASE_URL", "postgresql+asyncpg://veza:hunter22@127.0.0.1:1/veza")
    said = refusal(invoke("migrate"))
    assert "cannot migrate postgresql+asyncpg://veza@127.0.0.1:1/veza" in said
    assert "hunter22" not in said


def test_passwords_are_taken_out_of_urls_for_the_log() -> None:
    assert without_password("postgresql+asyncpg://veza:s3cret@db:5432/veza") == (
        "postgresql+asyncpg://veza@db:5432/veza"
    )
    assert without_password("redis://:s3cret@cache:6379/0") == "redis://cache:6379/0"
    assert without_password("sqlite+aiosqlite:////srv/veza/veza.db") == (
        "sqlite+aiosqlite:////srv/veza/veza.db"
    )


# The commands ----------------------------------------------------------------------------------


def test_create_admin_validates_its_input(data_dir: Path) -> None:
    result = invoke(*ADMIN[:3], "--username", "ok_name", "--password", "short")
    assert result.exit_code != 0
    assert "12 characters" in result.output


def test_openapi_prints_the_served_schema(data_dir: Path) -> None:
    result = invoke("openapi")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)  # the data folder note goes to stderr
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


# serve -----------------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What `veza serve` would have run uvicorn with (uvicorn itself is not started)."""
    calls: list[dict[str, Any]] = []

    def fake_run_server(settings: Any, listener: socket.socket, **options: Any) -> None:
        calls.append({"settings": settings, "address": listener.getsockname(), **options})

    monkeypatch.setattr(cli_module, "run_server", fake_run_server)
    return calls


def test_serve_refuses_several_workers_without_redis(
    data_dir: Path, served: list[dict[str, Any]]
) -> None:
    result = invoke("serve", "--workers", "2")
    assert result.exit_code != 0
    assert "VEZA_REDIS_URL" in result.output
    assert served == []


def test_serve_on_a_busy_port_stops_before_touching_the_data(
    data_dir: Path, served: list[dict[str, Any]]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke("serve", "--port", str(port))
    assert f"127.0.0.1:{port} is already in use" in refusal(result)
    assert served == []
    assert not (data_dir / "veza.db").exists()  # no migration, no start-up clean-up
    assert not (data_dir / "jwt.key").exists()


def test_serve_takes_the_port_migrates_and_says_where_everything_is(
    data_dir: Path, served: list[dict[str, Any]]
) -> None:
    port = free_port()
    result = invoke("serve", "--port", str(port))
    assert result.exit_code == 0, result.output
    (call,) = served
    assert call["address"] == ("127.0.0.1", port)
    assert call["process_count"] == 1 and call["reload"] is False
    assert (data_dir / "veza.db").exists()
    line = start_line(result)
    public_url = f"http://127.0.0.1:{port}"
    assert line["command"] == "serve"
    assert line["database"] == f"sqlite+aiosqlite:///{data_dir / 'veza.db'}"
    assert line["data_dir"] == str(data_dir)
    assert line["public_url"] == public_url
    assert line["docs_url"] == f"{public_url}/api/v1/docs"
    # The application uvicorn builds reads the port, and the public URL with it, from there.
    assert get_settings().server.public_url == public_url == call["settings"].server.public_url


def test_serve_caps_the_malloc_arenas_of_its_processes(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, served: list[dict[str, Any]]
) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)  # restored after the test
    monkeypatch.setenv("VEZA_SERVER__MALLOC_ARENA_MAX", "3")
    assert invoke("serve", "--port", str(free_port())).exit_code == 0
    # uvicorn's worker processes are started with it (glibc reads it at their start).
    assert os.environ["MALLOC_ARENA_MAX"] == "3"


def test_serve_keeps_an_explicit_public_url(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, served: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("VEZA_SERVER__PUBLIC_URL", "https://music.example.org/")
    result = invoke("serve", "--port", str(free_port()))
    assert result.exit_code == 0, result.output
    assert start_line(result)["public_url"] == "https://music.example.org"


def test_serve_refuses_an_address_it_cannot_have(
    data_dir: Path, served: list[dict[str, Any]]
) -> None:
    result = invoke("serve", "--host", "192.0.2.1", "--port", str(free_port()))
    assert "cannot listen on 192.0.2.1" in refusal(result)
    assert served == [] and not (data_dir / "veza.db").exists()


def test_serve_stops_when_its_migration_fails(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, served: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("VEZA_DATABASE_URL", "postgresql+asyncpg://veza:hunter22@127.0.0.1:1/veza")
    said = refusal(invoke("serve", "--port", str(free_port())))
    assert "cannot migrate postgresql+asyncpg://veza@127.0.0.1:1/veza: " in said
    assert "hunter22" not in said
    assert served == []


# What a long-lived process has loaded once started: its own interpreter, the server (or the
# job runner) replaced by a stand-in that builds what it would run and prints the modules. The
# API is started (its lifespan) and answers one request with a Bearer token, through ASGI.
# `veza serve` replaces itself with the serving process (veza/serving.py): the stand-in is put
# in there, by running this script again in place of `-m veza.serving`, with its arguments.
_STARTED = """
import asyncio, json, os, sys

async def one_request(app):
    token = app.state.tokens.encode(subject="nobody", typ="access", ttl_seconds=60)
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/api/v1/auth/me", "raw_path": b"/api/v1/auth/me",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80), "headers": [(b"authorization", b"Bearer " + token.encode())],
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    async with app.router.lifespan_context(app):
        await app(scope, receive, send)
    assert sent[0]["status"] == 401, sent

def started(settings=None, listener=None, **options):
    if listener is not None:  # the serving process
        from veza.app import create_app
        asyncio.run(one_request(create_app()))
        options["port"] = listener.getsockname()[1]
    print(json.dumps({"pid": os.getpid(), "options": options, "modules": sorted(sys.modules)}))

if sys.argv[1] == "serving":  # what `veza serve` became
    import veza.serving
    veza.serving.run_server = started
    veza.serving.main(sys.argv[2:])
    sys.exit()
print(os.getpid(), flush=True)
execve = os.execve

def serving_instead(path, arguments, environment):
    assert arguments[1:3] == ["-m", "veza.serving"], arguments
    execve(path, [path, __file__, "serving", *arguments[3:]], environment)

os.execve = serving_instead
import veza.cli
if "worker" in sys.argv:  # arq loads redis-py, which loads PyJWT and cryptography
    import arq.worker
    arq.worker.run_worker = started
veza.cli.app(sys.argv[1:])
"""

# Never in the process (these modules nor any inside them): Alembic runs in a child; the
# embedded API signs tokens and derives keys with the standard library (cryptography's bindings
# load with a first sealed secret) and, on SQLite, has no use for PostgreSQL's dialect; the
# serving process has none of the command line's modules, no file watcher without --reload,
# and what only some requests use loads with the first of them (Subsonic's methods, password
# hashing, rate limits, XSPF exports, an upload's ctypes); FastAPI checks for pydantic.v1
# models without importing it (kit/fastapi_v1_checks.py); the worker runs no route. redis-py
# imports PyJWT, so a worker (always on Redis) has it.
_SUBSONIC_METHODS = tuple(
    f"veza.subsonic.{name}"
    for name in (
        "annotation", "browsing", "catalog", "directories", "dispatch", "empty_features",
        "images", "media", "playlists", "presenters", "queueing", "rendering", "searching",
        "transcode",
    )
)  # fmt: skip
_ABSENT = {
    "serve": (
        *("alembic", "mako", "jwt", "cryptography", "sqlalchemy.dialects.postgresql"),
        *("typer", "rich", "veza.cli", "veza.commands", "veza.copydb", "veza.kit.migrations"),
        *("watchfiles", "argon2", "limits", "xml", "prometheus_client", "pydantic.v1"),
        *("ctypes", *_SUBSONIC_METHODS),
    ),
    "worker": ("alembic", "mako", "fastapi", "starlette"),
}


def _inside(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(f"{package}.") for package in packages)


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_long_lived_processes_migrate_in_a_child_and_load_only_what_they_use(
    tmp_path: Path, command: str
) -> None:
    port = free_port()
    environment = {**os.environ, "VEZA_DATA_DIR": str(tmp_path), "VEZA_SERVER__PORT": str(port)}
    environment.pop("VEZA_REDIS_URL", None)  # serve embedded
    if command == "worker":
        environment["VEZA_REDIS_URL"] = "redis://127.0.0.1:1/0"  # needed; it is not reached
    script = tmp_path / "started.py"
    script.write_text(_STARTED)
    child = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, str(script), command],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    *_, pid, last = child.stdout.splitlines()
    loaded = json.loads(last)
    assert loaded["pid"] == int(pid)  # `veza serve` became the serving process: the same pid
    modules = loaded["modules"]
    if command == "serve":
        assert loaded["options"] == {"process_count": 1, "reload": False, "port": port}
        assert "veza.serving" in modules
    else:
        assert "veza.kit.migrations" in modules  # the module is there, what it runs is not
    assert [m for m in modules if _inside(m, _ABSENT[command])] == []
    with sqlite3.connect(tmp_path / "veza.db") as database:  # the fresh folder was migrated
        (revision,) = database.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision


def test_serve_answers_from_the_process_it_started_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The real thing: `veza serve` hands its socket to the serving process (the same pid),
    which answers, then shuts down cleanly on SIGTERM as uvicorn does (re-raising it)."""
    port = free_port()
    environment = {**os.environ, "VEZA_DATA_DIR": str(tmp_path), "VEZA_LOG__LEVEL": "WARNING"}
    environment.pop("VEZA_REDIS_URL", None)
    server = subprocess.Popen(  # noqa: S603  (this interpreter, the installed command)
        [sys.executable, "-c", "from veza.cli import app; app()", "serve", "--port", str(port)],
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        command = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
        assert command[1:3] == [b"-m", b"veza.serving"]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == -signal.SIGTERM
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    said = server.stderr.read() if server.stderr else ""
    assert "Traceback" not in said and "Error" not in said, said


# worker ----------------------------------------------------------------------------------------


def test_worker_needs_redis(data_dir: Path) -> None:
    result = invoke("worker")
    assert result.exit_code != 0
    assert "VEZA_REDIS_URL" in result.output


def test_worker_logs_as_configured_and_says_where_everything_is(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import arq.worker

    started: list[Any] = []
    monkeypatch.setattr(arq.worker, "run_worker", started.append)
    monkeypatch.setenv("VEZA_REDIS_URL", "redis://:s3cret@127.0.0.1:6379/0")
    monkeypatch.setenv("VEZA_LOG__FORMAT", "json")
    result = invoke("worker")
    assert result.exit_code == 0, result.output
    assert len(started) == 1
    line = start_line(result)  # a JSON line: the log settings apply to the worker too
    assert line["command"] == "worker" and line["level"] == "info"
    assert line["data_dir"] == str(data_dir)
    assert line["redis"] == "redis://127.0.0.1:6379/0"
    assert line["queue"] == "veza:jobs"
    assert "s3cret" not in result.output
