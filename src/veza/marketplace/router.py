"""HTTP routes of the marketplace domain."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query

from veza.auth.dependencies import CurrentUser
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented
from veza.marketplace import schemas

router = APIRouter()


@router.get("/marketplace/download/{product_id}", tags=["Marketplace"], summary="Get download URL")
@not_implemented
async def get_marketplace_download_product_id(
    user: CurrentUser,
    product_id: Annotated[UUID, Path(description="Product ID")],
) -> None:
    raise NotImplementedYet()


@router.get("/marketplace/orders", tags=["Marketplace"], summary="List user orders")
@not_implemented
async def get_marketplace_orders(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.post(
    "/marketplace/orders", tags=["Marketplace"], summary="Create a new order", status_code=201
)
@not_implemented
async def post_marketplace_orders(
    user: CurrentUser,
    body: Annotated[schemas.CreateOrderRequest, Body(description="Order items")],
) -> None:
    raise NotImplementedYet()


@router.get("/marketplace/orders/{id}", tags=["Marketplace"], summary="Get order details")
@not_implemented
async def get_marketplace_orders_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Order ID")],
) -> None:
    raise NotImplementedYet()


@router.get("/marketplace/products", tags=["Marketplace"], summary="List products")
@not_implemented
async def get_marketplace_products(
    status: Annotated[str | None, Query(description="Product status")] = None,
    seller_id: Annotated[str | None, Query(description="Seller ID")] = None,
    q: Annotated[str | None, Query(description="Search query")] = None,
    type: Annotated[str | None, Query(description="Product type (track, pack, service)")] = None,
    min_price: Annotated[float | None, Query(description="Minimum price")] = None,
    max_price: Annotated[float | None, Query(description="Maximum price")] = None,
    page: Annotated[int | None, Query(description="Page number")] = None,
    limit: Annotated[int | None, Query(description="Items per page")] = None,
) -> None:
    raise NotImplementedYet()


@router.post(
    "/marketplace/products", tags=["Marketplace"], summary="Create a new product", status_code=201
)
@not_implemented
async def post_marketplace_products(
    user: CurrentUser,
    body: Annotated[schemas.CreateProductRequest, Body(description="Product info")],
) -> None:
    raise NotImplementedYet()


@router.put("/marketplace/products/{id}", tags=["Marketplace"], summary="Update a product")
@not_implemented
async def put_marketplace_products_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Product ID")],
    body: Annotated[schemas.UpdateProductRequest, Body(description="Product updates")],
) -> None:
    raise NotImplementedYet()
