"""JSON columns are read with orjson, and with the standard library for what only it reads."""

from __future__ import annotations

import json

import pytest

from veza.kit.db import read_json


@pytest.mark.parametrize(
    "value",
    [["rock", "indie rock"], {"a": [1, 2.5, None, True]}, [], "Beyoncé", 2**70, float("nan")],
)
def test_a_stored_value_reads_back_as_the_standard_library_reads_it(value: object) -> None:
    text = json.dumps(value)
    read = read_json(text)
    if isinstance(value, float):  # NaN equals nothing, itself included
        assert isinstance(read, float) and read != read
    else:
        assert read == value == json.loads(text)
