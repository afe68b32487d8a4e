"""JSON to the generated dataclasses: a small converter that reads the dataclasses' own type hints."""

from __future__ import annotations

import dataclasses
import sys
import typing
from typing import Any, TypeVar, Union, cast

T = TypeVar("T")


class ConversionError(ValueError):
    """The JSON does not fit the model: the API answered something its contract does not describe."""


def from_json(model: type[T], data: Any, **extra: Any) -> T:
    """`data` (parsed JSON) as an instance of the dataclass `model`; `extra` fills fields JSON lacks (etag)."""
    return cast("T", _convert(model, data, {**extra}))


def _hints(model: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(model, vars(sys.modules[model.__module__]))


def _convert(hint: Any, value: Any, extra: dict[str, Any] | None = None) -> Any:
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, dict):
            raise ConversionError(f"{hint.__name__}: expected an object, got {value!r:.80}")
        hints = _hints(hint)
        values = {
            field.name: _convert(hints[field.name], value[field.name])
            for field in dataclasses.fields(hint)
            if field.name in value
        }
        try:
            return hint(**values, **(extra or {}))
        except TypeError as error:
            raise ConversionError(f"{hint.__name__}: {error}") from error
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin is Union:
        if value is None and type(None) in arguments:
            return None
        for option in (argument for argument in arguments if argument is not type(None)):
            try:
                return _convert(option, value)
            except ConversionError:
                continue
        raise ConversionError(f"{value!r:.80} fits none of {hint}")
    if origin is typing.Literal:
        if value not in arguments:
            raise ConversionError(f"{value!r:.80} is not one of {arguments}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ConversionError(f"expected a list, got {value!r:.80}")
        return [_convert(arguments[0], item) for item in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConversionError(f"expected an object, got {value!r:.80}")
        return {key: _convert(arguments[1], item) for key, item in value.items()}
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(hint, type):
        # bool is an int in Python, but not in JSON.
        if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise ConversionError(f"expected {hint.__name__}, got {value!r:.80}")
        return value
    raise ConversionError(f"unsupported type {hint}")
