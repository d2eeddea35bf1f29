"""What the marketplace operations use besides the session and the caller (built from the
application's state by ``marketplace/dependencies.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from veza.config import MarketplaceSettings
from veza.kit.storage import Storage
from veza.kit.tokens import TokenCodec


@dataclass(frozen=True)
class MarketTools:
    settings: MarketplaceSettings
    storage: Storage  # purchased files, and their S3 presigned URLs
    tokens: TokenCodec  # signs the local download URLs
    public_url: str  # the base of a signed local download URL
