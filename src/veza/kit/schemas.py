"""Base models shared by every domain's schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, field_validator
from pydantic_core import PydanticCustomError

from veza.kit.envelope import printable

NUL_REFUSAL = "must not contain NUL characters"
SURROGATE_REFUSAL = "must not contain lone UTF-16 surrogates (not valid Unicode text)"
# The error type of the refusal. Its context says where inside the field's value the string
# is ("at": "0.title") and what it is ("text"): kit/handlers.py names and shows that string.
UNREADABLE_TEXT = "unreadable_text"
# NUL, and the surrogate code points: Python's JSON decoder turns "\ud800" (or the CESU-8
# bytes of it) into a str holding a lone surrogate, which no encoder to UTF-8 accepts (the
# database driver, the response, the log). A valid escaped pair decodes to one character.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Unreadable:
    reason: str  # NUL_REFUSAL or SURROGATE_REFUSAL
    at: Location  # where inside the value (empty: the value itself)
    text: str  # the string refused


def unreadable_text(value: Any, at: Location = ()) -> Unreadable | None:
    """The first string, in ``value`` or anywhere inside its lists, tuples, sets and dicts
    (keys too), that is not text the API takes, or None."""
    if isinstance(value, str):
        found = _NOT_TEXT.search(value)
        if found is None:
            return None
        return Unreadable(NUL_REFUSAL if found.group() == "\x00" else SURROGATE_REFUSAL, at, value)
    if isinstance(value, dict):
        for key, item in value.items():
            place = (*at, str(key))
            problem = unreadable_text(key, place) or unreadable_text(item, place)
            if problem is not None:
                return problem
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            problem = unreadable_text(item, (*at, index))
            if problem is not None:
                return problem
    return None


def refuse_unreadable_text(value: Any) -> Any:
    """A validator: ``value`` unchanged, or the UNREADABLE_TEXT error saying what and where."""
    problem = unreadable_text(value)
    if problem is not None:
        # Pydantic renders the context as UTF-8: it must hold no surrogate itself.
        where = {"at": printable(".".join(map(str, problem.at))), "text": printable(problem.text)}
        raise PydanticCustomError(UNREADABLE_TEXT, problem.reason, where)
    return value


class RequestModel(BaseModel):
    """A request body: unknown fields are ignored (clients may be newer); strings are kept
    exactly as given (passwords, content), but never hold NUL characters (no text carries
    one, and PostgreSQL refuses to store it) nor lone UTF-16 surrogates (not Unicode text:
    neither the database nor the response could encode them).

    The check runs on each field's raw value, nested models and lists included, before any
    other validation, so no validator, query or log line ever sees such a string."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _only_readable_text(cls, value: Any) -> Any:
        return refuse_unreadable_text(value)


# A free-form JSON object body (``dict[str, Any]``), with the same refusal as RequestModel's.
JsonObject = Annotated[dict[str, Any], BeforeValidator(refuse_unreadable_text)]


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# RFC 3339 in UTC with a Z suffix, whatever zone the value carries.
UTCTimestamp = Annotated[datetime, PlainSerializer(_rfc3339, return_type=str)]
