"""Read ``brew install``: Homebrew installs the newest formula or cask and has no way to ask
for a version, so every brew install is unpinned; only a policy of ``any`` allows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentgov.evaluators.rules.supply_chain.pin_forms import ANY, LOCKED, Install, Requested

if TYPE_CHECKING:
    from agentgov.evaluators.shell.model import SimpleCommand

_VERBS = frozenset({"install", "reinstall"})
_NO_PIN = (
    "Homebrew cannot pin a version: install it with a package manager that can (a pinned "
    "pip, npm, cargo or go install, or a container image by digest), or set "
    "supply_chain.ecosystems.brew: any in .agentgov/policy.yaml"
)


def brew_install(command: SimpleCommand) -> Install | None:
    """What ``brew install`` fetches, or None for other brew commands."""
    values = command.values()
    if command.name != "brew" or not values or values[0] not in _VERBS:
        return None
    requested = []
    for text in values[1:]:
        if text.startswith("-"):
            continue
        local = text.startswith(("./", "/", "~")) or text.endswith(".rb")
        requested.append(Requested(text, text, LOCKED if local else ANY, "", ""))
    if not requested:
        return None
    return Install(
        "brew", f"brew {values[0]}", tuple(requested), locked_how=_NO_PIN, lookup=_NO_PIN
    )
