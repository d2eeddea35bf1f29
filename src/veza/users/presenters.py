"""Profiles encoded in one pass (no pydantic model), for GET /users/{id}.

On the hot read a pydantic model of the profile, then its JSON, cost more than the query
(docs/PERFORMANCE.md, "Hot reads"). ``profile_json`` writes the bytes FastAPI writes for
``Envelope[ProfileData]`` with ``exclude_none``: the view's fields in its order, a missing
optional field as its default, None left out, timestamps in RFC 3339 with a Z.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticUndefined

from veza.kit.envelope import ok_json
from veza.users.schemas import OwnerProfile, PrivateProfileCard, PublicProfile

ProfileView = type[OwnerProfile] | type[PublicProfile] | type[PrivateProfileCard]

# Each view's fields in the response's order, with their default (PydanticUndefined: required).
_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {
    view: tuple((name, field.default) for name, field in view.model_fields.items())
    for view in (OwnerProfile, PublicProfile, PrivateProfileCard)
}
assert not any(  # a default made per instance would need calling here
    field.default_factory
    for view in _FIELDS
    for field in view.model_fields.values()  # type: ignore[attr-defined]
)


def profile_json(view: ProfileView, values: dict[str, Any]) -> bytes:
    """``Envelope[ProfileData]`` of the ``view`` made of ``values``, with ``exclude_none``."""
    profile: dict[str, Any] = {}
    for name, default in _FIELDS[view]:
        value = values[name] if default is PydanticUndefined else values.get(name, default)
        if value is not None:
            profile[name] = value
    return ok_json({"profile": profile})
