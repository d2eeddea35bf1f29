"""kit.native_memory: the cap on glibc's malloc arenas."""

from __future__ import annotations

import os
import platform

import pytest

from veza.kit.native_memory import limit_malloc_arenas


def test_zero_keeps_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas(0) is False
    assert "MALLOC_ARENA_MAX" not in os.environ


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_the_cap_is_applied_here_and_handed_to_child_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas(8) is True  # glibc's own default on this machine's cores, or less
    assert os.environ["MALLOC_ARENA_MAX"] == "8"


def test_an_operators_own_malloc_arena_max_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas(2) is False
    assert os.environ["MALLOC_ARENA_MAX"] == "4"
