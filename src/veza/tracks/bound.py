"""The viewer's id as a bound parameter, for the statements of hot reads built once.

A statement made per request (a member's catalog page, its total's correction, a playlist's
read) cost more in building its clauses and its cache key than its SQL (docs/PERFORMANCE.md,
"Hot reads"). Built once with ``VIEWER_ID`` in place of the viewer's id, by the same functions
that state the access rules with a literal id, it is executed with ``{"viewer_id": ...}``:
SQLAlchemy keeps its cache key and finds its compiled form without rebuilding either.
"""

from __future__ import annotations

import uuid
from typing import cast

from sqlalchemy import Integer, Uuid, bindparam

# Typed as a UUID so the rule functions (which take a viewer's id) accept it; it is the
# placeholder of one, bound at execution under the name "viewer_id".
VIEWER_ID = cast(uuid.UUID, bindparam("viewer_id", type_=Uuid()))


def bound_int(name: str) -> int:
    """An integer bound at execution (a limit, an offset), typed as what it stands for."""
    return cast(int, bindparam(name, type_=Integer()))
