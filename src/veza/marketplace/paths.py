"""The path parameters of the marketplace's routes, for the routers (FastAPI's ``Path``), apart
from the schemas: the services and the job worker import those without loading FastAPI."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path

ProductId = Annotated[uuid.UUID, Path(alias="id", description="Product ID")]
OrderId = Annotated[uuid.UUID, Path(alias="id", description="Order ID")]
