"""Request and response models of the marketplace domain.

Prices arrive as the contract's numbers and are turned into cents here (``money.to_cents``:
two decimals at most, ``money.MAX_PRICE_CENTS`` at most), so a float never reaches a rule or a
row. Responses carry cents back as numbers with two decimals.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from veza.kit.schemas import RequestModel, UTCTimestamp
from veza.marketplace.money import MAX_PRICE_CENTS, to_cents

LicenseKind = Literal["streaming", "personal", "commercial", "exclusive"]


def _price_in_cents(value: float | None) -> int | None:
    return None if value is None else to_cents(value)


def _plain_text(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value


class LicenseOffer(RequestModel):
    """One license of a product, as a seller declares it."""

    license_type: LicenseKind
    price_cents: int = Field(..., ge=0, le=MAX_PRICE_CENTS)
    terms_text: str | None = Field(None, max_length=10000)


# The contract's names for the license items of the two product requests.
CreateProductRequestLicensesItem = LicenseOffer
UpdateProductRequestLicensesItem = LicenseOffer


def _distinct_types(value: list[LicenseOffer] | None) -> list[LicenseOffer] | None:
    if value is None:
        return None
    if not value:
        raise ValueError("must hold at least one license (omit it to keep the price's license)")
    kinds = [offer.license_type for offer in value]
    if len(set(kinds)) != len(kinds):
        raise ValueError("must not name a license type twice")
    return value


class UpdateProductRequest(RequestModel):
    bpm: int | None = Field(None, ge=1, le=300)
    category: Literal["sample", "beat", "preset", "pack"] | None = None
    description: str | None = Field(None, max_length=2000)
    licenses: list[LicenseOffer] | None = Field(
        None,
        max_length=4,
        description="The product's licenses, replacing the current ones (one per type)",
    )
    musical_key: str | None = Field(None, max_length=10)
    price: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="In currency units, two decimals at most"
    )
    status: Literal["draft", "active", "archived"] | None = None
    title: str | None = Field(None, min_length=3, max_length=200)

    _licenses = field_validator("licenses")(_distinct_types)
    _title = field_validator("title")(_plain_text)

    @field_validator("price")
    @classmethod
    def _price(cls, value: float | None) -> float | None:
        _price_in_cents(value)
        return value

    @property
    def price_cents(self) -> int | None:
        return _price_in_cents(self.price)


class CreateProductRequest(RequestModel):
    bpm: int | None = Field(None, ge=1, le=300, description="v0.401 M1")
    category: Literal["sample", "beat", "preset", "pack"] | None = None
    description: str | None = Field(None, max_length=2000)
    license_type: Literal["standard", "exclusive", "commercial"] | None = None
    licenses: list[LicenseOffer] | None = Field(
        None,
        max_length=4,
        description="v0.401 M2: Product licenses (streaming, personal, commercial, exclusive)",
    )
    musical_key: str | None = Field(None, max_length=10)
    price: float = Field(
        ..., ge=0, allow_inf_nan=False, description="In currency units, two decimals at most"
    )
    product_type: Literal["track", "pack", "service"]
    title: str = Field(..., min_length=3, max_length=200)
    track_id: uuid.UUID | None = Field(None, description="UUID string")

    _licenses = field_validator("licenses")(_distinct_types)
    _title = field_validator("title")(_plain_text)

    @field_validator("price")
    @classmethod
    def _price(cls, value: float) -> float:
        to_cents(value)
        return value

    @property
    def price_cents(self) -> int:
        return to_cents(self.price)


class CreateOrderRequestItemsItem(RequestModel):
    product_id: uuid.UUID
    license_id: uuid.UUID | None = Field(
        None,
        description="The license to buy (one of the product's); absent: its cheapest license",
    )


class CreateOrderRequest(RequestModel):
    items: list[CreateOrderRequestItemsItem] = Field(..., min_length=1, max_length=50)
    promo_code: str | None = Field(None, max_length=50)


# Responses -----------------------------------------------------------------------------------


class ProductLicenseResponse(BaseModel):
    id: uuid.UUID
    product_id: uuid.UUID
    license_type: str
    price_cents: int
    terms_text: str | None = None
    created_at: UTCTimestamp


class ProductResponse(BaseModel):
    id: uuid.UUID
    seller_id: uuid.UUID
    track_id: uuid.UUID | None = None
    product_type: str
    title: str
    description: str | None = None
    price: float
    currency: str
    license_type: Literal["basic", "premium", "exclusive"]
    status: Literal["draft", "active", "archived"]
    category: str | None = None
    bpm: int | None = None
    musical_key: str | None = None
    licenses: list[ProductLicenseResponse]
    images: list[dict[str, str]] = Field(default_factory=list)
    previews: list[dict[str, str]] = Field(default_factory=list)
    review_count: int = 0
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class OrderItemResponse(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    product_id: uuid.UUID | None = None
    title: str
    license_type: str
    terms_text: str | None = None
    price: float
    price_cents: int
    currency: str


class OrderResponse(BaseModel):
    id: uuid.UUID
    buyer_id: uuid.UUID
    status: str
    currency: str
    total_amount: float
    discount_amount_cents: int
    promo_code_id: uuid.UUID | None = None
    payment_intent: str | None = None
    payment_status: str | None = None
    refund_deadline: UTCTimestamp | None = None
    items: list[OrderItemResponse]
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
