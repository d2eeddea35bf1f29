"""The path parameters of the /tracks/{id} routes, for the routers (FastAPI's ``Path``), apart
from the schemas: the services and the job worker import those without loading FastAPI."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path

# The {id} of every /tracks/{id}/... route (the handler's parameter is ``track_id``).
TrackId = Annotated[uuid.UUID, Path(alias="id", description="Track UUID")]
