"""JSON Schema validation of a parsed policy, with errors a person can act on.

jsonschema's own messages name Python reprs and schema internals; each error here is
rewritten as ``file:line:col: key.path: what is wrong`` with a did-you-mean for unknown keys.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from agentgov.policy.model import LEVEL_IDS
from agentgov.policy.source_text import Document, KeyPath
from agentgov.resources import resource

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


@lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    text = resource("schemas", "policy.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_problems(document: Document) -> list[str]:
    """Every schema violation in ``document``, positioned and sorted by place in the file."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(policy_schema())
    found: list[tuple[int, int, str]] = []
    for error in validator.iter_errors(document.data):
        for path, message, on_key in _explain(error):
            at = document.where(path, key=on_key)
            found.append((at.line, at.col, document.problem(path, message, key=on_key)))
    return [text for _, _, text in sorted(set(found))]


def _explain(error: ValidationError) -> list[tuple[KeyPath, str, bool]]:
    path: KeyPath = tuple(str(part) for part in error.absolute_path)
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        results = []
        for key in sorted(set(instance) - set(allowed)):
            results.append(((*path, key), _unknown_key(path, key, allowed), True))
        return results or [(path, error.message, False)]
    if validator == "required" and isinstance(instance, dict):
        missing = [name for name in schema.get("required", []) if name not in instance]
        # A misspelt key ("task_clases") is reported once, as unknown with a suggestion.
        present = [str(key) for key in instance]
        return [
            (path, f"missing required key {name!r}", bool(path))
            for name in missing
            if not difflib.get_close_matches(name, present, n=1, cutoff=0.6)
        ]
    if validator == "pattern" and "propertyNames" in error.schema_path:
        return [
            (
                (*path, str(instance)),
                f"name {_show(instance)} must start with a lowercase letter and use only "
                "a-z, 0-9, - and _",
                True,
            )
        ]
    if validator == "oneOf" and _is_level(schema):
        return [(path, f"{_show(instance)} is not a level (1-5 or {_level_ids()})", False)]
    if validator == "oneOf" and "action" in schema.get("properties", {}):
        return [
            (
                path,
                "a rollback trigger needs either metric, op, threshold, window and "
                "min_samples (a metric breach) or incident (an incident), not both",
                False,
            )
        ]
    if validator == "enum" and schema.get("enum") == ["enforce"]:
        rule = path[-1] if path else "this rule"
        return [
            (
                path,
                f"{rule} protects the guard itself and cannot be turned off or shadowed; "
                "remove this line",
                False,
            )
        ]
    if validator == "enum":
        options = ", ".join(str(option) for option in schema["enum"])
        return [(path, f"{_show(instance)} is not one of: {options}", False)]
    if validator == "const":
        return [(path, f"{_show(instance)} is not supported; use {error.validator_value}", False)]
    if validator == "type":
        wanted = schema.get("type", [])
        names = [wanted] if isinstance(wanted, str) else [str(name) for name in wanted]
        expected = " or ".join(_TYPE_NAMES.get(name, name) for name in names)
        return [(path, f"expected {expected}, got {_describe(instance)}", False)]
    if validator == "pattern" and path and path[-1] == "window":
        return [(path, f"{_show(instance)} is not a window like 14d, 6w or 48h", False)]
    if validator == "pattern" and path[:2] == ("audit", "notes_ref"):
        return [(path, f"{_show(instance)} must be a ref under refs/notes/", False)]
    if validator in {"minimum", "maximum"}:
        bound = "at least" if validator == "minimum" else "at most"
        return [(path, f"{_show(instance)} must be {bound} {error.validator_value}", False)]
    if validator == "minLength":
        return [(path, "must not be empty", False)]
    if validator == "uniqueItems":
        return [(path, "lists the same item twice", False)]
    if validator in {"minProperties", "maxProperties"}:
        return [(path, "give exactly one of demote_by, demote_to, reset_to", False)]
    return [(path, error.message, False)]


def _unknown_key(path: KeyPath, key: str, allowed: list[str]) -> str:
    if path == ("matrix",) and key == "forbidden":
        return (
            "forbidden is deny at every level and cannot be overridden; "
            "set the rule to shadow or off under rules: instead"
        )
    if path == ("ladder",) and key in {"1", "suggest"}:
        return "every class may sit at level 1 (suggest); the ladder lists levels 2-5 only"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f"; expected one of: {', '.join(allowed)}"
    return f"unknown key {key!r}{hint}"


def _is_level(schema: dict[str, Any]) -> bool:
    return str(schema.get("description", "")).startswith("An autonomy level")


def _level_ids() -> str:
    return ", ".join(LEVEL_IDS.values())


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list)):
        return _describe(value)
    return str(value)


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    return f"{value} (a number)"
