"""A JSON renderer that writes DRF's JSONRenderer's exact bytes, with orjson.

For data made of dicts with string keys, lists, strings, integers, booleans
and None, orjson produces what ``json.dumps`` does with DRF's settings
(compact separators, non-ASCII kept, ``\\u2028``/``\\u2029`` escaped
afterwards), several times faster. Anything else is not left to chance:
datetimes, dataclasses and other objects go to DRF's own encoder, and floats,
non-string keys, pretty-printing (``Accept: application/json; indent=2``) or
non-default JSON settings fall back to DRF's renderer.
"""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_default = JSONEncoder().default
# DRF escapes the two JavaScript line terminators after encoding; so do we,
# on UTF-8 bytes (a multi-byte sequence never occurs inside another).
_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()


class FastJSONRenderer(JSONRenderer):
    """Render JSON as DRF's renderer does, byte for byte, with orjson."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if (
            self.ensure_ascii
            or not self.compact
            or self.get_indent(accepted_media_type or "", renderer_context or {})
            is not None
            or _has_float(data)
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=_default, option=_OPTIONS)
        except TypeError:  # e.g. a key that is no string: json.dumps converts it
            return super().render(data, accepted_media_type, renderer_context)
        return rendered.replace(_LINE_SEPARATOR, b"\\u2028").replace(
            _PARAGRAPH_SEPARATOR, b"\\u2029"
        )


def _has_float(data: Any) -> bool:
    """Return whether data holds a float (orjson and json.dumps spell some apart)."""
    if isinstance(data, float):
        return True
    if isinstance(data, dict):
        return any(_has_float(value) for value in data.values())
    if isinstance(data, list | tuple):
        return any(_has_float(value) for value in data)
    return False
