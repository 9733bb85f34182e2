"""What a git hook prints: plain lines on stderr, prefixed ``agentgov:``.

git shows a hook's stderr to whoever pushed or committed, a person or an agent. Each
refusal names the ref, the rule id (the docs anchor, and what to look up) and what to do
instead, so an agent can act on it without a human translating.
"""

from __future__ import annotations

from collections.abc import Iterable

from agentgov.adapters.git_hooks.protect import Refusal


def refusal_text(action: str, refusals: Iterable[Refusal]) -> str:
    """``action`` is what was refused as a whole, e.g. ``push to origin``."""
    enforced = [item for item in refusals if not item.shadow]
    shadowed = [item for item in refusals if item.shadow]
    lines: list[str] = []
    if enforced:
        lines.append(f"agentgov: {action} refused")
        lines += _items(enforced)
    if shadowed:
        lines.append(f"agentgov: shadow mode, not enforced: {action} would be refused")
        lines += _items(shadowed)
    return "\n".join(lines) + ("\n" if lines else "")


def _items(refusals: list[Refusal]) -> list[str]:
    lines: list[str] = []
    for item in refusals:
        lines.append(f"  [{item.rule or 'policy'}] {item.remote_ref}: {item.message}")
        lines.append(f"    instead: {item.remediation}")
    return lines
