"""JSON from clients, read safely: API bodies and pasted config.json files.

Python's ``json`` accepts what JSON does not (``NaN``, ``Infinity``, ``-Infinity``),
turns ``1e400`` into infinity, and recurses once per nesting level, so 5,000 nested
``[`` end in a RecursionError (a 500). ``loads`` refuses all of these with a
``JsonError`` whose message says what was wrong; the nesting is measured before the
parser runs.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.http import HttpRequest

from calculator.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH

# Nesting levels accepted: a request body holds a config.json (the deepest released
# ones nest three levels: text_config -> rope_scaling -> a list), so 20 is far more
# than any real input and far less than Python's recursion limit (1,000).
EXAMPLE = '{"model": "llama-3.1-8b", "gpu": "h100-sxm"}'

# A JSON string (escapes included), removed before brackets are counted.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JsonError(ValueError):
    """Text that is not acceptable JSON; ``message`` says why, for the client, and
    ``field`` names the top-level key at fault ("" when it is the text as a whole)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class JsonSyntaxError(JsonError):
    """Text the JSON parser can't read at all."""


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text``, without parsing it."""
    deepest = level = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


class _NotANumber:
    """What the parser makes of NaN, Infinity or 1e400, so the key holding it can be
    named once the parse is done."""

    def __init__(self, text: str) -> None:
        self.text = text


def _finite(text: str) -> float | _NotANumber:
    value = float(text)
    return value if math.isfinite(value) else _NotANumber(text)


def _where(value: Any, path: str = "") -> tuple[str, str] | None:
    """The path ("text_config.hidden_size", "layers[2]") and the text of the first
    non-number in a parsed value, if any."""
    if isinstance(value, _NotANumber):
        return path, value.text
    if isinstance(value, dict):
        inner = ((f"{path}.{key}" if path else key, item) for key, item in value.items())
    elif isinstance(value, list):
        inner = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for inner_path, item in inner:
        if found := _where(item, inner_path):
            return found
    return None


def loads(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON text, refusing NaN/Infinity, numbers beyond a float and nesting
    deeper than ``max_depth``; JsonError with the reason."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonError("Not UTF-8 text.") from None
    if depth(text) > max_depth:
        raise JsonError(f"Nested more than {max_depth} levels deep.")
    try:
        value = json.loads(text, parse_constant=_NotANumber, parse_float=_finite)
    except json.JSONDecodeError as error:
        raise JsonSyntaxError(f"Not valid JSON ({error.msg}, line {error.lineno}).") from None
    except (ValueError, RecursionError) as error:  # e.g. an integer of 5,000 digits
        raise JsonError(f"Not valid JSON ({error}).") from None
    found = _where(value)
    if found:
        path, number = found
        where = f"“{path}” is {number}" if path else f"{number}"
        field = path.split(".")[0].split("[")[0]
        raise JsonError(f"{where}: not a finite number (JSON has no NaN or Infinity).", field)
    return value


def parse(request: HttpRequest) -> dict[str, Any]:
    """A request's body as a JSON object, within MAX_BODY_BYTES and the rules of
    ``loads``; JsonError naming the problem."""
    if len(request.body) > MAX_BODY_BYTES:
        raise JsonError(f"The body is over {MAX_BODY_BYTES:,} bytes.")
    try:
        body = loads(request.body)
    except JsonSyntaxError as error:
        raise JsonError(
            f"The body must be a JSON object, e.g. {EXAMPLE}: {error.message}"
        ) from None
    if not isinstance(body, dict):
        raise JsonError(f"The body must be a JSON object, e.g. {EXAMPLE}.")
    return body
