"""The path parameters of the /users/{id} routes, for the routers (FastAPI's ``Path``), apart
from the schemas: the services and the job worker import those without loading FastAPI."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path

# The {id} of /users/{id} routes (the handler's parameter is ``user_id``).
UserId = Annotated[uuid.UUID, Path(alias="id", description="User UUID")]
