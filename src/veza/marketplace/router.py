"""HTTP routes of the marketplace domain. The seven operations of the contract answer bare
bodies (Product, Order, arrays of them, the URL map); errors are the envelope. Two additions:
the refund of an order and the signed local download URL."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Query
from starlette.responses import FileResponse

from veza.auth.dependencies import CurrentUser, OptionalUser
from veza.kit.dependencies import DbSession
from veza.kit.pagination import PageParams, checked_limit, checked_page
from veza.marketplace import downloads, orders, schemas, service
from veza.marketplace.dependencies import Market
from veza.marketplace.paths import OrderId, ProductId

router = APIRouter()


@router.get("/marketplace/download/{product_id}", tags=["Marketplace"], summary="Get download URL")
async def get_marketplace_download_product_id(
    session: DbSession,
    user: CurrentUser,
    tools: Market,
    product_id: Annotated[UUID, Path(description="Product ID")],
) -> dict[str, str]:
    return await downloads.download_urls(session, user, product_id, tools=tools)


@router.get(
    "/marketplace/files/{token}",
    tags=["Marketplace"],
    summary="Download a purchased file (the signed URL of GET /marketplace/download/{id})",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def get_marketplace_files_token(
    session: DbSession,
    tools: Market,
    token: Annotated[
        str, Path(description="The signed token of the download URL", max_length=4096)
    ],
) -> FileResponse:
    found = await downloads.purchased_file(session, token, tools=tools)
    return FileResponse(
        found.path,
        media_type="application/octet-stream",
        filename=found.filename,
        headers={"Cache-Control": "private, no-store"},
    )


@router.get(
    "/marketplace/orders",
    tags=["Marketplace"],
    summary="List user orders",
    response_model_exclude_none=True,
)
async def get_marketplace_orders(
    session: DbSession, user: CurrentUser
) -> list[schemas.OrderResponse]:
    return await orders.list_orders(session, user)


@router.post(
    "/marketplace/orders",
    tags=["Marketplace"],
    summary="Create a new order",
    status_code=201,
    response_model_exclude_none=True,
)
async def post_marketplace_orders(
    session: DbSession,
    user: CurrentUser,
    tools: Market,
    body: Annotated[schemas.CreateOrderRequest, Body(description="Order items")],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Same key and body: the same order back; another body: 409",
        ),
    ] = None,
) -> schemas.OrderResponse:
    return await orders.create_order(
        session, user, body, idempotency_key=idempotency_key, settings=tools.settings
    )


@router.get(
    "/marketplace/orders/{id}",
    tags=["Marketplace"],
    summary="Get order details",
    response_model_exclude_none=True,
)
async def get_marketplace_orders_id(
    session: DbSession, user: CurrentUser, order_id: OrderId
) -> schemas.OrderResponse:
    return await orders.get_order(session, user, order_id)


@router.post(
    "/marketplace/orders/{id}/refund",
    tags=["Marketplace"],
    summary="Refund a paid order (its buyer, before its refund deadline; an administrator)",
    response_model_exclude_none=True,
)
async def post_marketplace_orders_id_refund(
    session: DbSession, user: CurrentUser, order_id: OrderId
) -> schemas.OrderResponse:
    return await orders.refund_order(session, user, order_id)


@router.get(
    "/marketplace/products",
    tags=["Marketplace"],
    summary="List products",
    response_model_exclude_none=True,
)
async def get_marketplace_products(
    session: DbSession,
    viewer: OptionalUser,
    status: Annotated[str | None, Query(description="Product status")] = None,
    seller_id: Annotated[str | None, Query(description="Seller ID")] = None,
    q: Annotated[str | None, Query(description="Search query")] = None,
    type: Annotated[str | None, Query(description="Product type (track, pack, service)")] = None,
    min_price: Annotated[
        float | None, Query(description="Minimum price", allow_inf_nan=False)
    ] = None,
    max_price: Annotated[
        float | None, Query(description="Maximum price", allow_inf_nan=False)
    ] = None,
    page: Annotated[int | None, Query(description="Page number")] = None,
    limit: Annotated[int | None, Query(description="Items per page")] = None,
) -> list[schemas.ProductResponse]:
    filters = service.product_filters(
        status=status,
        seller_id=seller_id,
        q=q,
        product_type=type,
        min_price=min_price,
        max_price=max_price,
    )
    paging = PageParams(page=checked_page(page), limit=checked_limit(limit))
    return await service.list_products(session, viewer, filters, paging)


@router.post(
    "/marketplace/products",
    tags=["Marketplace"],
    summary="Create a new product",
    status_code=201,
    response_model_exclude_none=True,
)
async def post_marketplace_products(
    session: DbSession,
    user: CurrentUser,
    tools: Market,
    body: Annotated[schemas.CreateProductRequest, Body(description="Product info")],
) -> schemas.ProductResponse:
    return await service.create_product(session, user, body, settings=tools.settings)


@router.put(
    "/marketplace/products/{id}",
    tags=["Marketplace"],
    summary="Update a product",
    response_model_exclude_none=True,
)
async def put_marketplace_products_id(
    session: DbSession,
    user: CurrentUser,
    product_id: ProductId,
    body: Annotated[schemas.UpdateProductRequest, Body(description="Product updates")],
) -> schemas.ProductResponse:
    return await service.update_product(session, user, product_id, body)
