"""The ``subsonic-response`` envelope in XML (the default) and JSON (``f=json``).

A payload is a tree of dicts: scalars become XML attributes (JSON members), a dict a child
element, a list of dicts repeated child elements (a JSON array), and the key ``value`` the
element's text (lyrics lines). Booleans are "true"/"false" in XML, as Subsonic servers write.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

API_VERSION = "1.16.1"
SERVER_TYPE = "veza"
NAMESPACE = "http://subsonic.org/restapi"


def envelope(
    payload: dict[str, Any], *, server_version: str, failed: bool = False
) -> dict[str, Any]:
    return {
        "status": "failed" if failed else "ok",
        "version": API_VERSION,
        "type": SERVER_TYPE,
        "serverVersion": server_version,
        "openSubsonic": True,
        **payload,
    }


def to_json(body: dict[str, Any]) -> bytes:
    return orjson.dumps({"subsonic-response": body})


def _attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(name: str, node: dict[str, Any], out: list[str]) -> None:
    attributes = "".join(
        f" {key}={quoteattr(_attribute(value))}"
        for key, value in node.items()
        if value is not None and key != "value" and not isinstance(value, dict | list)
    )
    children: list[str] = []
    for key, value in node.items():
        if isinstance(value, dict):
            _element(key, value, children)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _element(key, item, children)
                else:
                    children.append(f"<{key}>{escape(_attribute(item))}</{key}>")
    text = escape(_attribute(node["value"])) if node.get("value") is not None else ""
    if children or text:
        out.append(f"<{name}{attributes}>{text}{''.join(children)}</{name}>")
    else:
        out.append(f"<{name}{attributes}/>")


def to_xml(body: dict[str, Any]) -> bytes:
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
    _element("subsonic-response", {"xmlns": NAMESPACE, **body}, out)
    return "".join(out).encode("utf-8")


def without_nones(node: dict[str, Any]) -> dict[str, Any]:
    """JSON leaves absent values out, as XML does."""
    return {
        key: (
            without_nones(value)
            if isinstance(value, dict)
            else [without_nones(v) if isinstance(v, dict) else v for v in value]
            if isinstance(value, list)
            else value
        )
        for key, value in node.items()
        if value is not None
    }
