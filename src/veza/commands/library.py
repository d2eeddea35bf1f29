"""`veza import` of a music folder and `veza subsonic` access for Subsonic clients."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer

from veza.commands.common import command_settings, fail, migrate_or_fail
from veza.config import Settings
from veza.kit.db import Database


def import_music(
    path: Path = typer.Argument(..., help="The music folder (walked recursively)"),
    user: str = typer.Option(..., "--user", help="The username the tracks belong to"),
    public: bool = typer.Option(True, "--public/--private", help="Visibility of new tracks"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Probe and report, store nothing"),
) -> None:
    """Import a folder of music through the upload pipeline; a rerun skips what is done."""
    from veza.library import console
    from veza.registry import register_all

    if not path.is_dir():
        raise typer.BadParameter("not a folder", param_hint="PATH")
    settings = command_settings()
    migrate_or_fail(settings)
    register_all()

    async def run() -> Any:
        database = Database.from_settings(settings)
        try:
            user_id = await console.find_user(database, user)
        finally:
            await database.dispose()
        if user_id is None:
            fail(f"no user named {user}")
        return await console.run_import(settings, path, user_id, public=public, dry_run=dry_run)

    try:
        report = asyncio.run(run())
    except KeyboardInterrupt:
        typer.echo("interrupted: rerun the same command to continue", err=True)
        raise typer.Exit(130) from None
    console.print_report(report)
    if report.stopped_by_quota:
        raise typer.Exit(2)


subsonic_app = typer.Typer(
    help="Subsonic access: a separate Subsonic password, API keys (docs/SUBSONIC.md).",
    no_args_is_help=True,
)


def run_subsonic(work: Any) -> Any:
    from veza.subsonic import service

    settings = command_settings()
    migrate_or_fail(settings)

    async def run() -> Any:
        database = Database.from_settings(settings)
        try:
            return await work(service, database, settings)
        except service.UnknownUser as exc:
            fail(f"no user named {exc}")
        finally:
            await database.dispose()

    return asyncio.run(run())


@subsonic_app.command("set-password")
def subsonic_set_password(
    user: str = typer.Option(..., "--user"),
    generate: bool = typer.Option(False, "--generate", help="Make a random one and print it"),
) -> None:
    """Set the password Subsonic clients use (never the account password); 12+ characters."""
    from veza.subsonic.credentials import generate_password

    password = (
        generate_password()
        if generate
        else typer.prompt("Subsonic password", hide_input=True, confirmation_prompt=True)
    )

    async def work(service: Any, database: Database, settings: Settings) -> None:
        await service.set_password(database, service.box_for(settings), user, password)

    try:
        run_subsonic(work)
    except ValueError as exc:
        fail(str(exc))
    typer.echo(f"Subsonic password set for {user}" + (f": {password}" if generate else ""))


@subsonic_app.command("api-key")
def subsonic_api_key(
    user: str = typer.Option(..., "--user"),
    name: str = typer.Option("subsonic client", "--name", help="What the key is for"),
) -> None:
    """Make an OpenSubsonic API key (printed once; the recommended way to sign in)."""

    async def work(service: Any, database: Database, settings: Settings) -> str:
        key: str = await service.new_api_key(database, user, name)
        return key

    typer.echo(run_subsonic(work))


@subsonic_app.command("revoke")
def subsonic_revoke(user: str = typer.Option(..., "--user")) -> None:
    """Remove the user's Subsonic password and every API key."""

    async def work(service: Any, database: Database, settings: Settings) -> Any:
        return await service.revoke(database, user)

    revoked = run_subsonic(work)
    typer.echo(
        f"Subsonic access revoked for {user}: password {'removed' if revoked.password else 'none'}"
        f", {revoked.api_keys} API keys removed"
    )
