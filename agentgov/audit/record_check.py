"""Check audit records against ``schemas/audit-record.schema.json`` fast enough for 100k.

The JSON Schema is the contract, and jsonschema is the judge. But jsonschema takes about
60 µs per record here (measured: 6 s for 100,000 records, three times the whole budget of
``agentgov log``), so each record first meets a checker compiled from the same schema
file. The compiled check is *sound*: whatever it accepts, jsonschema accepts, because it
knows only the keywords this schema uses and refuses to compile a schema with any other.
Whatever it rejects goes to jsonschema, which decides and supplies the message
(``detail.level: 7 is greater than the maximum of 5``). So the schema stays the one place
the format is defined, and a new keyword in it fails the tests until taught here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from agentgov.resources import resource

SCHEMA_FILE = "audit-record.schema.json"

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description"})
_OBJECT_KEYWORDS = frozenset({"type", "required", "additionalProperties", "properties", "allOf"})
_VALUE_KEYWORDS = frozenset(
    {"type", "const", "enum", "minLength", "maxLength", "minimum", "maximum", "pattern", "items"}
)
_TYPES: dict[str, type] = {
    # JSON Schema's integer also admits 1.0; json.loads never makes one from a canonical
    # record, and rejecting it here only sends such a record on to jsonschema. Exact type
    # tests also keep True and False out of integers, as JSON Schema does.
    "integer": int,
    "string": str,
    "boolean": bool,
    "object": dict,
    "array": list,
    "null": type(None),
}

_Spec = tuple["frozenset[type] | None", "frozenset[Any] | None", "Check | None"]
"""One property's check, inlined by the record loop: exact types allowed (None: any), the
values allowed (const, enum), and a check for the rest (lengths, bounds, pattern, items)."""


@cache
def record_schema() -> dict[str, Any]:
    """The shipped v1 schema, parsed once."""
    loaded: dict[str, Any] = json.loads(resource("schemas", SCHEMA_FILE).read_text("utf-8"))
    return loaded


@cache
def compiled_check() -> Check:
    """The fast, sound check for the shipped schema."""
    return compile_schema(record_schema())


def schema_error(record: Mapping[str, Any]) -> str | None:
    """None when ``record`` is valid, else why not, in jsonschema's words with the path."""
    if compiled_check()(record):
        return None
    return _jsonschema_error(record)


def _jsonschema_error(record: Mapping[str, Any]) -> str | None:
    import jsonschema  # about 60 ms to import: only when some record failed the fast check

    validator = _validator()
    error = jsonschema.exceptions.best_match(validator.iter_errors(record))
    if error is None:
        return None
    path = ".".join(str(part) for part in error.absolute_path)
    return f"{path}: {error.message}" if path else error.message


@cache
def _validator() -> Any:
    import jsonschema

    schema = record_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def compile_schema(schema: Mapping[str, Any]) -> Check:
    """A check for the subset of JSON Schema the record schema uses.

    Raises ValueError on any keyword outside that subset, so the check can never accept
    what the schema forbids just because it did not understand a rule. The loop inlines
    the common tests (type, enum) rather than call a function per field: 3 µs a record
    instead of 10.
    """
    _only(schema, _OBJECT_KEYWORDS, "the record")
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        raise ValueError("the record schema must be a closed object")
    required = frozenset(schema.get("required", ()))
    properties: dict[str, _Spec] = {
        name: _compile_value(sub, name) for name, sub in schema.get("properties", {}).items()
    }
    conditions = [_compile_condition(part) for part in schema.get("allOf", ())]

    def check(record: Any) -> bool:
        if type(record) is not dict or not required.issubset(record):
            return False
        for key, value in record.items():
            spec = properties.get(key)
            if spec is None:
                return False
            types, allowed, rest = spec
            if types is not None and type(value) not in types:
                return False
            if allowed is not None and value not in allowed:
                return False
            if rest is not None and not rest(value):
                return False
        for condition in conditions:  # noqa: SIM110 -- a loop: all(<generator>) costs 0.5 µs
            if not condition(record):
                return False
        return True

    return check


def _compile_condition(part: Mapping[str, Any]) -> Check:
    """``{"if": {"properties": {k: {"const": c}}}, "then": {"required": [...]}}`` only."""
    if set(part) != {"if", "then"} or set(part["then"]) != {"required"}:
        raise ValueError(f"unsupported allOf entry in the record schema: {part}")
    condition = part["if"]
    if set(condition) != {"properties"} or len(condition["properties"]) != 1:
        raise ValueError(f"unsupported if in the record schema: {condition}")
    ((key, test),) = condition["properties"].items()
    if set(test) != {"const"} or not isinstance(test["const"], str):
        raise ValueError(f"unsupported if in the record schema: {condition}")
    value, needed = test["const"], frozenset(part["then"]["required"])
    # An absent key satisfies an if's "properties", so its then applies: the default
    # below makes a record without ``key`` take the then branch, as JSON Schema does.
    return lambda record: record.get(key, value) != value or needed.issubset(record)


def _compile_value(schema: Mapping[str, Any], where: str) -> _Spec:
    _only(schema, _VALUE_KEYWORDS, where)
    types: frozenset[type] | None = None
    kind = schema.get("type")
    if kind is not None:
        types = frozenset(_TYPES[name] for name in ([kind] if isinstance(kind, str) else kind))
    allowed: frozenset[Any] | None = None
    if "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else list(schema["enum"])
        # Membership in a set would let 1 == 1.0 == True pass; pin the type as well.
        value_types = frozenset(type(value) for value in values)
        if len(value_types) != 1 or not value_types <= {str, int}:
            raise ValueError(f"{where}: only string or integer const/enum is supported")
        types = value_types if types is None else types & value_types
        allowed = frozenset(values)
    rest: list[Check] = []
    if "minLength" in schema or "maxLength" in schema:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        # len() counts code points, as JSON Schema does
        rest.append(
            lambda v: type(v) is not str or (low <= len(v) and (high is None or len(v) <= high))
        )
    if "minimum" in schema or "maximum" in schema:
        least, most = schema.get("minimum"), schema.get("maximum")
        rest.append(
            lambda v: (
                type(v) is not int
                or ((least is None or v >= least) and (most is None or v <= most))
            )
        )
    if "pattern" in schema:
        pattern = re.compile(schema["pattern"])  # Python's re, as jsonschema uses
        rest.append(lambda v: type(v) is not str or pattern.search(v) is not None)
    if "items" in schema:
        item_types, item_allowed, item_rest = _compile_value(schema["items"], f"{where}[]")

        def items(v: Any) -> bool:
            if type(v) is not list:
                return True
            for x in v:  # a loop, not all(<generator>): twice as fast on short lists
                if item_types is not None and type(x) not in item_types:
                    return False
                if item_allowed is not None and x not in item_allowed:
                    return False
                if item_rest is not None and not item_rest(x):
                    return False
            return True

        rest.append(items)
    if not rest:
        return types, allowed, None
    if len(rest) == 1:
        return types, allowed, rest[0]
    return types, allowed, lambda v: all(check(v) for check in rest)


def _only(schema: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = set(schema) - allowed - _ANNOTATIONS
    if unknown:
        raise ValueError(
            f"{where}: the fast record check does not know {sorted(unknown)}; "
            "teach agentgov/audit/record_check.py before using them in the schema"
        )
