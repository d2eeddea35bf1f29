"""HTTP routes of the notifications domain (an addition to the contract, see CONFORMANCE.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
