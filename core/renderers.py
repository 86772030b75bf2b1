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


_SCALARS = frozenset({str, int, bool, type(None)})


def _has_float(data: Any) -> bool:
    """Return whether data holds a float (orjson and json.dumps spell some apart)."""
    # Iterative, one set lookup per common leaf: this runs on every response.
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            values: Any = item.values()
        elif isinstance(item, list | tuple):
            values = item
        else:
            continue
        for value in values:
            if type(value) not in _SCALARS:
                pending.append(value)
    return False
