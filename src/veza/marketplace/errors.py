"""Errors of the marketplace domain."""

from __future__ import annotations

from veza.kit.errors import BadRequest, Conflict, Forbidden, NotFound


class ProductNotFound(NotFound):
    code = "PRODUCT_NOT_FOUND"
    message = "Product not found"


class NotProductOwner(Forbidden):
    code = "NOT_PRODUCT_OWNER"
    message = "Only the seller of a product (or an administrator) can change it"


class NotASeller(Forbidden):
    code = "NOT_A_SELLER"
    message = "Only creators and administrators can sell; upgrade to a creator account first"


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"
    message = "Order not found"


class NotOrderOwner(Forbidden):
    code = "NOT_ORDER_OWNER"
    message = "Only the buyer of an order can see it"


class CannotBuy(BadRequest):
    """An order refused for a reason tied to one of its products (the message says which)."""

    code = "PRODUCT_NOT_PURCHASABLE"


class AlreadyOwned(BadRequest):
    code = "ALREADY_PURCHASED"
    message = "You already bought this license of this product"


class ExclusiveSold(BadRequest):
    code = "EXCLUSIVE_SOLD"
    message = "This product's exclusive license has already been sold"


class InvalidPromoCode(BadRequest):
    code = "INVALID_PROMO_CODE"


class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"
    message = "This Idempotency-Key was already used with a different request body"


class NoLicense(Forbidden):
    code = "LICENSE_REQUIRED"
    message = "Only a buyer with a paid order can download this product"


class RefundRefused(BadRequest):
    code = "REFUND_NOT_ALLOWED"
