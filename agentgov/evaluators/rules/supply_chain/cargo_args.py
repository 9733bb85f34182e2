"""Read ``cargo install``: a crate from crates.io or git, or a local path.

``cargo install ripgrep`` takes the newest release: unpinned. ``--version 14.1.0`` (or
``ripgrep@14.1.0``) is exact, ``--version ^14`` a range; with ``--locked`` an exact version
also uses the crate's own ``Cargo.lock``: locked. ``--git URL`` is exact only with ``--rev
<commit>`` or ``--tag``. ``--path .`` (or no crate at all) is local.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options
from agentgov.evaluators.rules.supply_chain.pin_forms import (
    ANY,
    CONSTRAINED,
    EXACT,
    LOCKED,
    Install,
    Requested,
    is_commit,
    spec_texts,
)
from agentgov.policy.model import Strictness

if TYPE_CHECKING:
    from agentgov.evaluators.shell.model import SimpleCommand

_CARGO_INSTALL = OptionSpec(
    short_value="jFZ",
    long_value=frozenset(
        {
            *("version", "vers", "git", "branch", "tag", "rev", "path", "root", "index"),
            *("registry", "features", "target", "target-dir", "profile", "jobs", "bin"),
            *("example", "config", "color", "message-format", "timings"),
        }
    ),
)
_EXACT = re.compile(r"=?\s*\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")


def _version_pin(version: str | None) -> Strictness:
    if version is None or version.strip() in ("", "*"):
        return ANY
    if "$" in version:
        return EXACT  # --version "$V": a version the analyser cannot see
    return EXACT if _EXACT.fullmatch(version.strip()) else CONSTRAINED


def cargo_install(command: SimpleCommand) -> Install | None:
    """What ``cargo install`` fetches, or None for other cargo commands and ``--list``."""
    values = command.values()
    if command.name != "cargo" or values[:1] != ("install",):
        return None
    parsed = parse_options(command.args[1:], _CARGO_INSTALL)
    if parsed.has("--list") or parsed.values("--path"):
        return None
    crates = list(spec_texts(parsed.operands))
    git = parsed.values("--git")
    if not crates and not git:
        return None  # installs the package in the current directory
    locked = parsed.has("--locked", "--frozen")
    version = (parsed.values("--version", "--vers") or (None,))[-1]
    requested: list[Requested] = []
    for crate in crates or [git[-1].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")]:
        name, _, at_version = crate.partition("@")
        if git:
            rev = parsed.values("--rev")
            pin = EXACT if any(is_commit(r) for r in rev) or parsed.values("--tag") else ANY
        else:
            pin = _version_pin(at_version or version)
        if pin is EXACT and locked:
            pin = LOCKED
        exact = f"{name} --version <version>"
        requested.append(Requested(name, crate, pin, exact, f"--locked {exact}"))
    return Install(
        "cargo",
        "cargo install",
        tuple(requested),
        locked_how="cargo install --locked NAME --version <version>",
        lookup="take <version> from crates.io, or list it with cargo search NAME",
    )
