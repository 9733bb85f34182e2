"""Install agentgov into Claude Code's settings.json, and take out exactly what it added.

Project scope writes ``.claude/settings.json`` (committed, so the whole team is governed)
and a shim ``.agentgov/claude-hook.sh`` that finds agentgov on any clone. User scope
(``--user``) writes ``~/.claude/settings.json`` and a shim beside it. Every other key and
hook is kept; running it twice changes nothing; the file's indentation is kept. A file that
is not valid JSON is never touched.

Besides the hook handlers, the install adds ``permissions.deny`` entries for the forbidden
forms that Claude Code's own matcher can express; they still hold when the hook is missing
or disabled. What was added is listed in ``agentgov-install.json`` next to the shim, so
``uninstall`` removes exactly that and nothing a person wrote.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.errors import UsageError
from agentgov.resources import resource

HOOK_EVENTS = (
    ("PreToolUse", "*"),
    ("PostToolUse", "*"),
    ("PostToolUseFailure", "*"),
    ("PermissionRequest", "*"),
    ("UserPromptSubmit", None),
    ("Stop", None),
    ("SessionStart", None),
    ("SessionEnd", None),
)
# If the shim itself is missing, the command still exits 2 (block), never 127 (proceed).
PROJECT_COMMAND = (
    'shim="$CLAUDE_PROJECT_DIR/.agentgov/claude-hook.sh"; [ -x "$shim" ] && exec "$shim"; '
    'echo "agentgov hook shim missing: run agentgov install claude-code" >&2; exit 2'
)
DENY_RULES = (
    "Bash(git push --force *)",
    "Bash(git push -f *)",
    "Bash(git push --force-with-lease *)",
    "Bash(git push --mirror *)",
    "Bash(git push * --force)",
    "Bash(git push * -f)",
    "Bash(git commit --no-verify *)",
    "Bash(git commit -n *)",
    "Bash(git push --no-verify *)",
    "Bash(git config core.hooksPath *)",
    "Bash(git config --global core.hooksPath *)",
    "Bash(rm -rf /)",
    "Bash(rm -rf / *)",
    "Bash(rm -rf /*)",
    "Bash(rm -rf ~)",
    "Bash(rm -rf ~/)",
    "Bash(sudo rm -rf /*)",
    "Bash(terraform destroy *)",
    "Bash(tofu destroy *)",
    "Edit(.agentgov/**)",
    "Write(.agentgov/**)",
    "Edit(.claude/settings.json)",
    "Write(.claude/settings.json)",
    "Edit(.claude/settings.local.json)",
    "Write(.claude/settings.local.json)",
    "Edit(.git/hooks/**)",
    "Write(.git/hooks/**)",
)
STATE_FILE = "agentgov-install.json"


@dataclass(frozen=True)
class Target:
    settings: Path
    shim: Path
    command: str
    state: Path


@dataclass(frozen=True)
class InstallReport:
    settings: Path
    shim: Path
    hooks_added: int
    deny_added: int
    changed: bool


def project_target(root: Path) -> Target:
    shim = root / ".agentgov" / "claude-hook.sh"
    return Target(
        root / ".claude" / "settings.json", shim, PROJECT_COMMAND, shim.parent / STATE_FILE
    )


def user_target(home: Path) -> Target:
    shim = home / ".claude" / "agentgov-hook.sh"
    command = (
        f'shim="{shim}"; [ -x "$shim" ] && exec "$shim"; '
        'echo "agentgov hook shim missing: run agentgov install claude-code --user" >&2; exit 2'
    )
    return Target(home / ".claude" / "settings.json", shim, command, shim.parent / STATE_FILE)


def _load(path: Path) -> tuple[dict[str, Any], int]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, 2
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}") from None
    if not text.strip():
        return {}, 2
    try:
        data = json.loads(text)
    except ValueError as err:
        raise UsageError(
            f"{path} is not valid JSON ({err}); fix it or move it away, then rerun. "
            "agentgov did not change it."
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} must hold a JSON object; agentgov did not change it")
    return data, _indent(text)


def _indent(text: str) -> int:
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" ")
        if stripped and len(line) != len(stripped):
            return len(line) - len(stripped)
    return 2


def _save(path: Path, data: dict[str, Any], indent: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".agentgov-tmp")
    temp.write_text(json.dumps(data, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
    temp.replace(path)


def _handler(command: str) -> dict[str, Any]:
    return {"type": "command", "command": command, "timeout": 30}


def install(target: Target) -> InstallReport:
    data, indent = _load(target.settings)
    before = json.dumps(data, sort_keys=True)
    hooks = data.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise UsageError(
            f"{target.settings}: 'hooks' must be an object; agentgov did not change it"
        )
    added_hooks = 0
    for event, matcher in HOOK_EVENTS:
        groups = hooks.setdefault(event, [])
        if not isinstance(groups, list):
            raise UsageError(f"{target.settings}: hooks.{event} must be a list")
        if any(_is_ours(group, target.command) for group in groups):
            continue
        group: dict[str, Any] = {"hooks": [_handler(target.command)]}
        if matcher is not None:
            group = {"matcher": matcher, **group}
        groups.append(group)
        added_hooks += 1
    permissions = data.setdefault("permissions", {})
    if not isinstance(permissions, dict):
        raise UsageError(f"{target.settings}: 'permissions' must be an object")
    deny = permissions.setdefault("deny", [])
    if not isinstance(deny, list):
        raise UsageError(f"{target.settings}: permissions.deny must be a list")
    previously = _state(target).get("deny", [])
    new_rules = [rule for rule in DENY_RULES if rule not in deny]
    deny.extend(new_rules)
    changed = json.dumps(data, sort_keys=True) != before
    if changed:
        _save(target.settings, data, indent)
    _write_shim(target.shim)
    state = {"deny": sorted(set(previously) | set(new_rules)), "command": target.command}
    target.state.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    return InstallReport(target.settings, target.shim, added_hooks, len(new_rules), changed)


def uninstall(target: Target) -> InstallReport:
    data, indent = _load(target.settings)
    state = _state(target)
    before = json.dumps(data, sort_keys=True)
    removed_hooks = 0
    hooks = data.get("hooks")
    if isinstance(hooks, dict):
        for event in list(hooks):
            groups = hooks[event]
            if not isinstance(groups, list):
                continue
            kept = []
            for group in groups:
                if _is_ours(group, target.command):
                    handlers = [
                        h for h in group.get("hooks", []) if not _handler_is_ours(h, target.command)
                    ]
                    removed_hooks += 1
                    if handlers:
                        kept.append({**group, "hooks": handlers})
                else:
                    kept.append(group)
            if kept:
                hooks[event] = kept
            else:
                del hooks[event]
        if not hooks:
            del data["hooks"]
    permissions = data.get("permissions")
    ours = set(state.get("deny", []))
    removed_deny = 0
    if isinstance(permissions, dict) and isinstance(permissions.get("deny"), list):
        kept_rules = [rule for rule in permissions["deny"] if rule not in ours]
        removed_deny = len(permissions["deny"]) - len(kept_rules)
        if kept_rules:
            permissions["deny"] = kept_rules
        else:
            del permissions["deny"]
        if not permissions:
            del data["permissions"]
    changed = json.dumps(data, sort_keys=True) != before
    if changed:
        _save(target.settings, data, indent)
    for path in (target.shim, target.state):
        path.unlink(missing_ok=True)
    return InstallReport(target.settings, target.shim, removed_hooks, removed_deny, changed)


def _state(target: Target) -> dict[str, Any]:
    try:
        data = json.loads(target.state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _handler_is_ours(handler: object, command: str) -> bool:
    return isinstance(handler, dict) and handler.get("command") == command


def _is_ours(group: object, command: str) -> bool:
    if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
        return False
    return any(_handler_is_ours(h, command) for h in group["hooks"])


def _write_shim(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(resource("hooks", "claude-code").read_bytes())
    # The shim must be executable by whoever runs Claude Code; it holds no secrets.
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
