"""Whether the agent runs in a sandbox, which level 4 ``execute-sandboxed`` needs.

A task class at level 4 acts at level 3 unless one of these is found (docs/evidence.md,
"Level 4 and the sandbox"), checked in this order:

1. ``AGENTGOV_SANDBOX``: ``0`` (or ``false``/``no``/``off``) says there is none, whatever
   else is found (it only restricts); ``1`` (``true``/``yes``/``on``) says there is one.
2. Claude Code's own sandbox: ``sandbox.enabled`` in its settings, read with Claude Code's
   precedence: managed settings, then ``.claude/settings.local.json``, then
   ``.claude/settings.json``, then ``~/.claude/settings.json``; the first file that sets the
   key decides, so a local ``false`` beats a user ``true``.
3. A container: ``/.dockerenv``, ``/run/.containerenv`` (Podman), or a container runtime
   named in ``/proc/1/cgroup``.
4. A devcontainer or a Codespace: ``REMOTE_CONTAINERS`` or ``CODESPACES`` set to ``true``.

Only a class configured at level 4 pays for these reads. ``AGENTGOV_SANDBOX_PROBE_ROOT``
moves the filesystem probes (3, and the managed settings) under another directory, for
tests; like ``AGENTGOV_SANDBOX`` it is read from the environment of the hook process, which
an agent cannot set (and ``guard.tamper`` refuses setting it on an agent's own command).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_MANAGED = (
    "etc/claude-code/managed-settings.json",
    "Library/Application Support/ClaudeCode/managed-settings.json",
)
_CONTAINER_FILES = (".dockerenv", "run/.containerenv")
_CGROUP_MARKERS = ("docker", "kubepods", "containerd", "libpod", "lxc", "podman")
_SETTINGS_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Sandbox:
    """Whether a sandbox was found, and the one-line reason."""

    found: bool
    because: str


def detect_sandbox(
    project_root: Path | str | None,
    environ: Mapping[str, str],
    *,
    home: str | None = None,
) -> Sandbox:
    """The first signal of a sandbox (or of its absence) for work in ``project_root``."""
    declared = environ.get("AGENTGOV_SANDBOX", "").strip().lower()
    if declared in _FALSE:
        return Sandbox(False, f"AGENTGOV_SANDBOX={declared} says there is no sandbox")
    if declared in _TRUE:
        return Sandbox(True, f"AGENTGOV_SANDBOX={declared}")
    root = environ.get("AGENTGOV_SANDBOX_PROBE_ROOT", "").strip() or "/"
    settings = _claude_sandbox(project_root, root, home or environ.get("HOME") or "")
    if settings is not None and settings[0]:
        return Sandbox(True, f"Claude Code's sandbox is enabled in {settings[1]}")
    for relative in _CONTAINER_FILES:
        path = os.path.join(root, relative)
        if os.path.lexists(path):
            return Sandbox(True, f"a container ({path})")
    cgroup = _cgroup_runtime(os.path.join(root, "proc/1/cgroup"))
    if cgroup is not None:
        return Sandbox(True, f"a container ({cgroup} in /proc/1/cgroup)")
    for name, what in (("CODESPACES", "a Codespace"), ("REMOTE_CONTAINERS", "a devcontainer")):
        if environ.get(name, "").strip().lower() in _TRUE:
            return Sandbox(True, f"{what} ({name}={environ[name]})")
    if settings is not None:
        return Sandbox(False, f"no sandbox: Claude Code's sandbox is disabled in {settings[1]}")
    return Sandbox(
        False,
        "no sandbox found (Claude Code's sandbox.enabled, a container, a devcontainer or "
        "Codespace, AGENTGOV_SANDBOX=1)",
    )


def _claude_sandbox(
    project_root: Path | str | None, probe_root: str, home: str
) -> tuple[bool, str] | None:
    """``(enabled, file)`` from the highest-precedence settings file that sets
    ``sandbox.enabled``, or None when none does."""
    candidates = [os.path.join(probe_root, managed) for managed in _MANAGED]
    if project_root is not None:
        project = str(project_root)
        candidates.append(os.path.join(project, ".claude", "settings.local.json"))
        candidates.append(os.path.join(project, ".claude", "settings.json"))
    if home:
        candidates.append(os.path.join(home, ".claude", "settings.json"))
    for path in candidates:
        enabled = _sandbox_enabled(path)
        if enabled is not None:
            return enabled, path
    return None


def _sandbox_enabled(path: str) -> bool | None:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_SETTINGS_BYTES)
    except OSError:
        return None
    if b"sandbox" not in raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None  # Claude Code refuses a file it cannot parse; it enables nothing
    block = data.get("sandbox") if isinstance(data, dict) else None
    value = block.get("enabled") if isinstance(block, dict) else None
    return value if isinstance(value, bool) else None


def _cgroup_runtime(path: str) -> str | None:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")[:65536]
    except OSError:
        return None
    for marker in _CGROUP_MARKERS:
        if marker in text:
            return marker
    return None
