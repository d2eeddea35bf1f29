"""Request and response models of the marketplace domain."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from veza.kit.schemas import RequestModel


class UpdateProductRequest(RequestModel):
    bpm: int | None = Field(None, ge=1, le=300)
    category: Literal["sample", "beat", "preset", "pack"] | None = None
    description: str | None = Field(None, max_length=2000)
    licenses: list[UpdateProductRequestLicensesItem] | None = Field(
        None, description="v0.401 M2: Product licenses"
    )
    musical_key: str | None = Field(None, max_length=10)
    price: float | None = Field(None, ge=0)
    status: Literal["draft", "active", "archived"] | None = None
    title: str | None = Field(None, min_length=3, max_length=200)


class UpdateProductRequestLicensesItem(RequestModel):
    license_type: Literal["streaming", "personal", "commercial", "exclusive"]
    price_cents: int = Field(..., ge=0)
    terms_text: str | None = None


class CreateProductRequest(RequestModel):
    bpm: int | None = Field(None, ge=1, le=300, description="v0.401 M1")
    category: Literal["sample", "beat", "preset", "pack"] | None = None
    description: str | None = Field(None, max_length=2000)
    license_type: Literal["standard", "exclusive", "commercial"] | None = None
    licenses: list[CreateProductRequestLicensesItem] | None = Field(
        None, description="v0.401 M2: Product licenses (streaming, personal, commercial, exclusive)"
    )
    musical_key: str | None = Field(None, max_length=10)
    price: float = Field(..., ge=0)
    product_type: Literal["track", "pack", "service"]
    title: str = Field(..., min_length=3, max_length=200)
    track_id: str | None = Field(None, description="UUID string")


class CreateProductRequestLicensesItem(RequestModel):
    license_type: Literal["streaming", "personal", "commercial", "exclusive"]
    price_cents: int = Field(..., ge=0)
    terms_text: str | None = None


class CreateOrderRequest(RequestModel):
    items: list[CreateOrderRequestItemsItem] = Field(..., min_length=1)
    promo_code: str | None = Field(None, max_length=50)


class CreateOrderRequestItemsItem(RequestModel):
    product_id: str
