"""Helpers for the gate's pure core: policies as YAML text, loaded as ``check`` loads them
(``load_bytes`` for the policy, ``parse(decode(...))`` for its positions)."""

from __future__ import annotations

from agentgov.gate.model import Location
from agentgov.policy.load import load_bytes
from agentgov.policy.model import Policy
from agentgov.policy.source_text import Document, decode, parse

POLICY_PATH = ".agentgov/policy.yaml"


def loaded(text: str, label: str = "policy.yaml") -> tuple[Policy, Document]:
    raw = text.encode()
    return load_bytes(raw, label), parse(decode(raw, label), label)


def replaced(text: str, old: str, new: str) -> str:
    """``text`` with its one occurrence of ``old`` replaced (a test edits one place)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def at(text: str, needle: str, path: str = POLICY_PATH) -> Location:
    """Where the one occurrence of ``needle`` in ``text`` starts (1-based line and column)."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    before = text[: text.index(needle)]
    line = before.count("\n") + 1
    return Location(path, line, len(before) - (before.rfind("\n") + 1) + 1)
