"""The serving process of `veza serve`: uvicorn on the socket the command took.

`veza serve` takes the port, migrates (in a child), writes its start-up log line, then replaces
itself (``os.execve``: the same pid, the listening socket inherited) with
``python -m veza.serving --fd N --workers W [--reload]``, so the process that serves for weeks
starts without the command line's modules (typer, the other commands and what they import)
nor, unless it reloads, uvicorn's file watcher (docs/PERFORMANCE.md "Lean processes"). The
settings are read again from the environment, which the command has set (--host, --port,
MALLOC_ARENA_MAX).
"""

from __future__ import annotations

import argparse
import socket
import sys
from typing import NoReturn

from veza.config import Settings, get_settings


def _fail(message: str) -> NoReturn:
    print(f"Error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def _import_uvicorn(*, watching_files: bool) -> None:
    """uvicorn's package imports its reloader's watchfiles (0.6 MiB resident with its Rust
    notifier) whatever the options; only --reload uses it, so otherwise uvicorn is imported as
    if watchfiles were absent (its supervisors then name StatReload, which nothing here uses).
    watchfiles itself stays importable afterwards."""
    if watching_files or "uvicorn" in sys.modules or "watchfiles" in sys.modules:
        return
    sys.modules["watchfiles"] = None  # type: ignore[assignment]  # `import watchfiles` fails
    try:
        import uvicorn  # noqa: F401
    finally:
        del sys.modules["watchfiles"]


def run_server(
    settings: Settings, listener: socket.socket, *, process_count: int, reload: bool
) -> None:
    """uvicorn on the socket already taken, with one or several processes."""
    _import_uvicorn(watching_files=reload)
    import uvicorn

    config = uvicorn.Config(
        "veza.app:create_app",
        factory=True,
        host=settings.server.host,
        port=settings.server.port,
        workers=process_count,
        reload=reload,
        log_config=None,  # our structlog configuration owns the log output
        proxy_headers=True,
        forwarded_allow_ips=settings.server.forwarded_allow_ips,
        server_header=False,
    )
    server = uvicorn.Server(config)
    if reload:
        from uvicorn.supervisors import ChangeReload  # watchfiles, for development only

        ChangeReload(config, target=server.run, sockets=[listener]).run()
    elif process_count > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[listener]).run()
    else:
        server.run(sockets=[listener])
        if not server.started:
            _fail("the server did not start (see the log above)")


def command_line(listener: socket.socket, *, process_count: int, reload: bool) -> list[str]:
    """The arguments of this module's entry for a socket (inheritable) the caller has taken."""
    arguments = ["-m", __name__, "--fd", str(listener.fileno()), "--workers", str(process_count)]
    return [sys.executable, *arguments, *(["--reload"] if reload else [])]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m veza.serving", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="the listening socket, inherited")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reload", action="store_true")
    arguments = parser.parse_args(argv)
    listener = socket.socket(fileno=arguments.fd)  # family and type are the socket's own
    listener.set_inheritable(True)  # uvicorn's worker processes serve on it
    with listener:
        run_server(
            get_settings(), listener, process_count=arguments.workers, reload=arguments.reload
        )


if __name__ == "__main__":
    main()
