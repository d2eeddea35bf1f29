"""Money and the license vocabularies.

Amounts are integer cents (minor units of ``VEZA_MARKETPLACE__CURRENCY``) everywhere but on
the wire, where the contract's ``price`` and ``total_amount`` are numbers with two decimals.
A price sent as a number is read through its decimal text, never through float arithmetic,
and refused when it has more than two decimals or exceeds ``MAX_PRICE_CENTS``.

The contract has three license vocabularies; this is the one map between them
(docs/CONFORMANCE.md, "Marketplace"):

=============================  ==============================  ===========================
CreateProductRequest           licenses[].license_type         Product.license_type
.license_type                  (what is bought)                (the listing's headline)
=============================  ==============================  ===========================
standard                       personal                        basic
commercial                     commercial                      premium
exclusive                      exclusive                       exclusive
(absent)                       personal                        basic
-                              streaming                       basic
=============================  ==============================  ===========================
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# 100,000.00 in the currency: the highest price of a product or license.
MAX_PRICE_CENTS = 10_000_000

LICENSE_STREAMING = "streaming"
LICENSE_PERSONAL = "personal"
LICENSE_COMMERCIAL = "commercial"
LICENSE_EXCLUSIVE = "exclusive"

# CreateProductRequest.license_type -> the license the product is sold under.
REQUESTED_TO_LICENSE = {
    "standard": LICENSE_PERSONAL,
    "commercial": LICENSE_COMMERCIAL,
    "exclusive": LICENSE_EXCLUSIVE,
}
# licenses[].license_type -> Product.license_type (marketplace.LicenseType).
LICENSE_TO_PRODUCT_TYPE = {
    LICENSE_STREAMING: "basic",
    LICENSE_PERSONAL: "basic",
    LICENSE_COMMERCIAL: "premium",
    LICENSE_EXCLUSIVE: "exclusive",
}
# The order of licenses from the least to the most rights, for display and the default.
LICENSE_RANK = {
    LICENSE_STREAMING: 0,
    LICENSE_PERSONAL: 1,
    LICENSE_COMMERCIAL: 2,
    LICENSE_EXCLUSIVE: 3,
}


def to_cents(value: float | int | str | Decimal) -> int:
    """``value`` (a price in currency units) as cents; ValueError when it is negative, has
    more than two decimals, or exceeds the maximum."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("must be a number") from exc
    if not amount.is_finite():
        raise ValueError("must be a finite number")
    if amount < 0:
        raise ValueError("must be at least 0")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("must have at most two decimals")
    if cents > MAX_PRICE_CENTS:
        raise ValueError(f"must be at most {MAX_PRICE_CENTS // 100}")
    return int(cents)


def to_amount(cents: int) -> float:
    """Cents as the contract's number: exact to two decimals (``1999`` -> ``19.99``)."""
    return float(Decimal(cents) / 100)


def product_license_type(license_type: str) -> str:
    return LICENSE_TO_PRODUCT_TYPE[license_type]
