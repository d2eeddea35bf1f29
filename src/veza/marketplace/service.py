"""Rules of the store: who sells, what a product is, how the list is filtered, who updates.

Orders live in orders.py, payment in payments.py, downloads in downloads.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.config import MarketplaceSettings
from veza.kit.errors import ValidationFailed
from veza.kit.pagination import PageParams
from veza.marketplace import repository, schemas
from veza.marketplace.access import editable_product, ensure_seller
from veza.marketplace.money import (
    LICENSE_PERSONAL,
    LICENSE_RANK,
    REQUESTED_TO_LICENSE,
    product_license_type,
    to_amount,
    to_cents,
)
from veza.marketplace.repository import ProductFilters
from veza.models import Product, ProductLicense, User, utcnow
from veza.models.marketplace import PRODUCT_ACTIVE, PRODUCT_DRAFT, PRODUCT_TRACK
from veza.models.track import TRACK_COMPLETED
from veza.tracks.repository import get_live

AUDIT_PRODUCT_CREATED = "marketplace.product_created"
AUDIT_PRODUCT_UPDATED = "marketplace.product_updated"

# Responses -----------------------------------------------------------------------------------


def product_response(
    product: Product, licenses: Sequence[ProductLicense]
) -> schemas.ProductResponse:
    return schemas.ProductResponse(
        id=product.id,
        seller_id=product.seller_id,
        track_id=product.track_id,
        product_type=product.product_type,
        title=product.title,
        description=product.description,
        price=to_amount(product.price_cents),
        currency=product.currency,
        license_type=product.license_type,
        status=product.status,
        category=product.category,
        bpm=product.bpm,
        musical_key=product.musical_key,
        licenses=[
            schemas.ProductLicenseResponse(
                id=offer.id,
                product_id=offer.product_id,
                license_type=offer.license_type,
                price_cents=offer.price_cents,
                terms_text=offer.terms_text,
                created_at=offer.created_at,
            )
            for offer in licenses
        ],
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


async def _respond(session: AsyncSession, product: Product) -> schemas.ProductResponse:
    await session.flush()
    await session.refresh(product)
    licenses = await repository.licenses_of(session, [product.id])
    return product_response(product, licenses[product.id])


# Listing -------------------------------------------------------------------------------------


def _price_filter(name: str, value: float | None) -> int | None:
    if value is None:
        return None
    try:
        return to_cents(value)
    except ValueError as exc:
        raise ValidationFailed.field(name, str(exc), value) from exc


def _uuid_filter(name: str, value: str | None) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ValidationFailed.field(name, "must be a UUID", value) from exc


def product_filters(
    *,
    status: str | None,
    seller_id: str | None,
    q: str | None,
    product_type: str | None,
    min_price: float | None,
    max_price: float | None,
) -> ProductFilters:
    """The list's filters, checked (400 with the field for a bad one)."""
    if status is not None and status not in ("draft", "active", "archived"):
        raise ValidationFailed.field("status", "must be draft, active or archived", status)
    if product_type is not None and product_type not in ("track", "pack", "service"):
        raise ValidationFailed.field("type", "must be track, pack or service", product_type)
    if q is not None and len(q) > 200:
        raise ValidationFailed.field("q", "must be at most 200 characters", q)
    return ProductFilters(
        seller_id=_uuid_filter("seller_id", seller_id),
        status=status,
        q=q.strip() or None if q else None,
        product_type=product_type,
        min_cents=_price_filter("min_price", min_price),
        max_cents=_price_filter("max_price", max_price),
    )


async def list_products(
    session: AsyncSession, viewer: User | None, filters: ProductFilters, paging: PageParams
) -> list[schemas.ProductResponse]:
    products = await repository.product_page(
        session, viewer, filters, offset=paging.offset, limit=paging.limit
    )
    licenses = await repository.licenses_of(session, [product.id for product in products])
    return [product_response(product, licenses[product.id]) for product in products]


# Creating and updating -----------------------------------------------------------------------


def _offers(
    product_id: uuid.UUID,
    declared: Sequence[schemas.LicenseOffer] | None,
    fallback_type: str,
    price_cents: int,
) -> list[ProductLicense]:
    """The declared licenses, or one license of ``fallback_type`` at the product's price."""
    now = utcnow()
    if not declared:
        return [
            ProductLicense(
                product_id=product_id,
                license_type=fallback_type,
                price_cents=price_cents,
                created_at=now,
            )
        ]
    return [
        ProductLicense(
            product_id=product_id,
            license_type=offer.license_type,
            price_cents=offer.price_cents,
            terms_text=offer.terms_text,
            created_at=now,
        )
        for offer in declared
    ]


async def _checked_track(
    session: AsyncSession, seller: User, body: schemas.CreateProductRequest
) -> uuid.UUID | None:
    """A track product names one of the seller's own completed tracks."""
    if body.product_type != PRODUCT_TRACK:
        if body.track_id is not None:
            raise ValidationFailed.field(
                "track_id", "only a track product names a track", str(body.track_id)
            )
        return None
    if body.track_id is None:
        raise ValidationFailed.field("track_id", "is required for a track product")
    track = await get_live(session, body.track_id)
    if track is None or track.creator_id != seller.id:
        raise ValidationFailed.field(
            "track_id", "must be one of your own tracks", str(body.track_id)
        )
    if track.status != TRACK_COMPLETED or not track.file_path:
        raise ValidationFailed.field(
            "track_id", "must be a track whose processing has completed", str(body.track_id)
        )
    if await repository.is_exclusively_sold(session, [f"track:{track.id}"]):
        raise ValidationFailed.field(
            "track_id", "this track's exclusive license has been sold", str(body.track_id)
        )
    return track.id


async def create_product(
    session: AsyncSession,
    seller: User,
    body: schemas.CreateProductRequest,
    *,
    settings: MarketplaceSettings,
) -> schemas.ProductResponse:
    ensure_seller(seller)
    track_id = await _checked_track(session, seller, body)
    sold_under = REQUESTED_TO_LICENSE.get(body.license_type or "", LICENSE_PERSONAL)
    headline = product_license_type(
        sold_under if body.license_type or not body.licenses else _widest(body.licenses)
    )
    product = Product(
        id=uuid.uuid4(),
        seller_id=seller.id,
        track_id=track_id,
        product_type=body.product_type,
        title=body.title,
        description=body.description,
        price_cents=body.price_cents,
        currency=settings.currency,
        license_type=headline,
        category=body.category,
        bpm=body.bpm,
        musical_key=body.musical_key,
        status=PRODUCT_DRAFT,
    )
    session.add(product)
    await session.flush()
    session.add_all(_offers(product.id, body.licenses, sold_under, product.price_cents))
    await record(
        session,
        AUDIT_PRODUCT_CREATED,
        user_id=seller.id,
        resource="product",
        resource_id=product.id,
        details={"price_cents": product.price_cents, "product_type": product.product_type},
    )
    return await _respond(session, product)


def _widest(offers: Sequence[schemas.LicenseOffer]) -> str:
    """The license granting the most rights (Product.license_type shows it)."""
    return max((offer.license_type for offer in offers), key=LICENSE_RANK.__getitem__)


_PLAIN_FIELDS = ("title", "description", "category", "bpm", "musical_key", "status")


async def update_product(
    session: AsyncSession, user: User, product_id: uuid.UUID, body: schemas.UpdateProductRequest
) -> schemas.ProductResponse:
    """The seller (or an administrator) changes the listing; past orders keep what they were
    sold at (their items hold their own price and terms)."""
    product = await editable_product(session, product_id, user)
    given = body.model_dump(exclude_unset=True)
    changed = {name: given[name] for name in _PLAIN_FIELDS if name in given}
    if "title" in changed and changed["title"] is None:
        raise ValidationFailed.field("title", "must not be null")
    if changed.get("status") is None:
        changed.pop("status", None)
    if changed.get("status") == PRODUCT_ACTIVE:
        await _check_can_go_on_sale(session, product)
    for name, value in changed.items():
        setattr(product, name, value)
    if body.price_cents is not None:
        product.price_cents = body.price_cents
        changed["price_cents"] = body.price_cents
    await _update_licenses(session, product, body)
    product.updated_at = utcnow()
    await record(
        session,
        AUDIT_PRODUCT_UPDATED,
        user_id=user.id,
        resource="product",
        resource_id=product.id,
        details={"fields": sorted(changed) + (["licenses"] if body.licenses else [])},
    )
    return await _respond(session, product)


async def _check_can_go_on_sale(session: AsyncSession, product: Product) -> None:
    """A product goes (back) on sale only while what it sells can still be sold: its track
    exists, and no exclusive license of it (or of its track) has been sold."""
    if product.product_type == PRODUCT_TRACK and (
        product.track_id is None or await get_live(session, product.track_id) is None
    ):
        raise ValidationFailed.field("status", "the product's track has been deleted", "active")
    if await repository.is_exclusively_sold(session, [repository.exclusive_subject(product)]):
        raise ValidationFailed.field(
            "status", "an exclusive license of this product or its track was sold", "active"
        )


async def _update_licenses(
    session: AsyncSession, product: Product, body: schemas.UpdateProductRequest
) -> None:
    """``licenses`` replaces the set; without it, a product sold under one license keeps that
    license at the product's (new) price."""
    if body.licenses:
        offers = _offers(product.id, body.licenses, LICENSE_PERSONAL, product.price_cents)
        await repository.replace_licenses(session, product.id, offers)
        product.license_type = product_license_type(_widest(body.licenses))
        return
    if body.price_cents is None:
        return
    current = (await repository.licenses_of(session, [product.id]))[product.id]
    if len(current) == 1:
        current[0].price_cents = body.price_cents
