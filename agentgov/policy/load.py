"""Load a policy: bytes -> text -> YAML with positions -> schema -> semantic checks -> Policy.

``load_bytes`` goes through the compiled cache first (``cache.py``): a policy whose content
hash was validated before is rebuilt from JSON without importing ruamel.yaml or jsonschema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentgov.errors import PolicyError
from agentgov.policy import cache
from agentgov.policy.build import build
from agentgov.policy.model import Policy
from agentgov.resources import resource

TEMPLATES = ("default", "strict", "progressive-team")


def validate_bytes(raw: bytes, label: str) -> dict[str, Any]:
    """The validated plain data of a policy file, or a PolicyError listing every problem."""
    from agentgov.policy.schema_check import schema_problems
    from agentgov.policy.semantic import semantic_problems
    from agentgov.policy.source_text import decode, parse

    document = parse(decode(raw, label), label)
    problems = schema_problems(document)
    if problems:
        raise PolicyError(problems)
    problems = semantic_problems(document)
    if problems:
        raise PolicyError(problems)
    return document.data


def load_bytes(raw: bytes, label: str, cache_dir: Path | None = None) -> Policy:
    """A Policy from a file's bytes; a ``cache_dir`` hit skips re-validation."""
    if cache_dir is not None:
        data = cache.lookup(cache_dir, raw)
        if data is not None:
            return build(data, source=label)
    data = validate_bytes(raw, label)
    if cache_dir is not None:
        cache.store(cache_dir, raw, data)
    return build(data, source=label)


def load_path(path: Path, label: str | None = None, cache_dir: Path | None = None) -> Policy:
    shown = label or str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(cache.READ_LIMIT)
    except FileNotFoundError:
        raise PolicyError([f"{shown}: no such file; create one with `agentgov init`"]) from None
    except IsADirectoryError:
        raise PolicyError([f"{shown}: is a directory, not a policy file"]) from None
    except OSError as err:
        raise PolicyError([f"{shown}: cannot read: {err.strerror}"]) from None
    return load_bytes(raw, shown, cache_dir)


def template_bytes(name: str) -> bytes:
    if name not in TEMPLATES:
        from agentgov.errors import UsageError

        raise UsageError(f"unknown template {name!r}; choose one of: {', '.join(TEMPLATES)}")
    raw: bytes = resource("templates", "policies", f"{name}.yaml").read_bytes()
    return raw


def load_template(name: str = "default", cache_dir: Path | None = None) -> Policy:
    """A shipped template as a Policy (used where a repository has no policy yet)."""
    return load_bytes(template_bytes(name), f"<template {name}>", cache_dir)
