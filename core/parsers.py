"""The API's JSON parser: DRF's, with every malformed body a 400."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than Python can decode.

    The standard library raises RecursionError (not ValueError) for a body
    such as 100,000 opening brackets, which DRF would let through as a 500.
    """

    def parse(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().parse(*args, **kwargs)
        except RecursionError as exc:
            raise ParseError(
                "JSON parse error - the body is nested too deeply."
            ) from exc
