"""FastAPI still refuses pydantic.v1 models once its checks no longer import pydantic.v1."""

from __future__ import annotations

import warnings

import pytest
from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import PydanticV1NotSupportedError

import veza.kit.fastapi_v1_checks  # noqa: F401  (installed, as veza.app does)


def test_a_pydantic_v1_model_is_refused_as_without_the_lean_checks() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydantic import v1

    class Legacy(v1.BaseModel):
        name: str

    router = APIRouter()
    with pytest.raises(PydanticV1NotSupportedError):
        router.get("/legacy", response_model=Legacy)(lambda: None)
    with pytest.raises(PydanticV1NotSupportedError):
        jsonable_encoder(Legacy(name="x"))
