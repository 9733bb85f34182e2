"""Install agentgov into Claude Code's settings.json, and take out exactly what it added.

Project scope writes ``.claude/settings.json`` (committed, so the whole team is governed)
and a shim ``.agentgov/claude-hook.sh`` that finds agentgov on any clone. User scope
(``--user``) writes ``~/.claude/settings.json`` and a shim beside it. Every other byte of
the file is kept (key order, indentation, inline arrays, escapes, the final newline): the
edits are spliced into the text (``json_edit``). Running it twice changes nothing. A file
that is not valid JSON (comments included) is never touched.

Besides the hook handlers, the install adds ``permissions.deny`` entries for forbidden
forms that Claude Code's own matcher expresses exactly; they still hold when the hook is
missing or disabled. Which actions a rule owns and which only the hook can judge is in
docs/claude-code.md ("Permission rules"). What was added (rules, the keys and directories
that did not exist) is listed in ``agentgov-install.json`` next to the shim, so
``uninstall`` removes exactly that and nothing a person wrote, and a later install removes
the rules an earlier agentgov added that are no longer written.
"""

from __future__ import annotations

import contextlib
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentgov.adapters.claude_code.json_edit import Node, append, parse, remove
from agentgov.errors import UsageError
from agentgov.resources import resource

HOOK_EVENTS = (
    ("PreToolUse", "*"),
    ("PostToolUse", "*"),
    ("PostToolUseFailure", "*"),
    ("PermissionRequest", "*"),
    ("PermissionDenied", "*"),
    ("UserPromptSubmit", None),
    ("Stop", None),
    ("SubagentStart", None),
    ("SubagentStop", None),
    ("SessionStart", None),
    ("SessionEnd", None),
)
"""Every event agentgov judges or records. ``PermissionDenied`` (Auto Mode's classifier
denied a call) and ``SubagentStart``/``SubagentStop`` are evidence (docs/claude-code.md); a
re-install adds the events an older install lacks, and uninstall removes agentgov's handler
from every event, whichever install wrote it."""
# If the shim itself is missing, the command still exits 2 (block), never 127 (proceed).
PROJECT_COMMAND = (
    'shim="$CLAUDE_PROJECT_DIR/.agentgov/claude-hook.sh"; [ -x "$shim" ] && exec "$shim"; '
    'echo "agentgov hook shim missing: run agentgov install claude-code" >&2; exit 2'
)
# Only what the policy forbids at every level, in every task class and on every branch, and
# only in forms Claude Code matches exactly (docs/claude-code.md, "Permission rules"). A
# force-push is judged by its branch, and `rm -rf /*` cannot be written (a rule's `*` is a
# wildcard, so `Bash(rm -rf /*)` also denied `rm -rf /tmp/build`): the hook owns those.
BASH_DENY_RULES = (
    "Bash(git push --mirror *)",
    "Bash(git push * --mirror)",
    "Bash(git commit --no-verify *)",
    "Bash(git commit * --no-verify)",
    "Bash(git commit * --no-verify *)",
    "Bash(git commit -n *)",
    "Bash(git push --no-verify *)",
    "Bash(git push * --no-verify)",
    "Bash(git push * --no-verify *)",
    "Bash(git config core.hooksPath *)",
    "Bash(git config --global core.hooksPath *)",
    "Bash(rm -rf /)",
    "Bash(rm -rf / *)",
    "Bash(rm -rf ~)",
    "Bash(rm -rf ~/)",
    "Bash(sudo rm -rf /)",
    "Bash(sudo rm -rf / *)",
    "Bash(terraform destroy *)",
    "Bash(tofu destroy *)",
)
# Guard files. Claude Code checks file permissions against Edit(path) rules only (they
# cover Write, MultiEdit and NotebookEdit, and redirects in Bash); a Write(path) rule is
# never consulted. In project settings "/path" is anchored at the project root, whatever
# the cwd; in user settings it would mean ~/.claude/path, so user scope writes "//**/path"
# (any repository) and names its own shim.
GUARDED_PATHS = (".agentgov/**", ".claude/settings.json", ".claude/settings.local.json")
PROJECT_DENY_RULES = (
    *BASH_DENY_RULES,
    *(f"Edit(/{path})" for path in GUARDED_PATHS),
    "Edit(/.git/hooks/**)",
)
DENY_RULES = PROJECT_DENY_RULES
STATE_FILE = "agentgov-install.json"


@dataclass(frozen=True)
class Target:
    settings: Path
    shim: Path
    command: str
    state: Path
    deny: tuple[str, ...] = field(default=PROJECT_DENY_RULES)


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
    state = shim.parent / STATE_FILE
    deny = (
        *BASH_DENY_RULES,
        *(f"Edit(//**/{path})" for path in GUARDED_PATHS),
        "Edit(//**/.git/hooks/**)",
        f"Edit(~/.claude/{shim.name})",
        f"Edit(~/.claude/{STATE_FILE})",
    )
    return Target(home / ".claude" / "settings.json", shim, command, state, deny)


def _read(path: Path) -> str | None:
    """The text of ``path``, checked to be a JSON object; None when there is none yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}") from None
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError as err:
        raise UsageError(
            f"{path} is not valid JSON ({err}); fix it or move it away, then rerun. "
            "agentgov did not change it."
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} must hold a JSON object; agentgov did not change it")
    return text


def _save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".agentgov-tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)


def _handler(command: str) -> dict[str, Any]:
    return {"type": "command", "command": command, "timeout": 30}


def _group(matcher: str | None, command: str) -> dict[str, Any]:
    group: dict[str, Any] = {"hooks": [_handler(command)]}
    return group if matcher is None else {"matcher": matcher, **group}


def _object(node: Node | None, where: str, settings: Path) -> Node | None:
    if node is not None and node.kind != "object":
        raise UsageError(f"{settings}: '{where}' must be an object; agentgov did not change it")
    return node


def _list(node: Node | None, where: str, settings: Path) -> Node | None:
    if node is not None and node.kind != "array":
        raise UsageError(f"{settings}: {where} must be a list; agentgov did not change it")
    return node


def _hooks(text: str, settings: Path) -> Node | None:
    return _object(parse(text).member("hooks"), "hooks", settings)


def _deny(text: str, settings: Path) -> Node | None:
    permissions = _object(parse(text).member("permissions"), "permissions", settings)
    if permissions is None:
        return None
    return _list(permissions.member("deny"), "permissions.deny", settings)


def _add_hooks(text: str, target: Target, created: set[str]) -> tuple[str, int]:
    hooks = _hooks(text, target.settings)
    if hooks is None:
        value = {event: [_group(matcher, target.command)] for event, matcher in HOOK_EVENTS}
        created.update({"hooks", *(f"hooks.{event}" for event in value)})
        return append(text, parse(text), [("hooks", value)]), len(HOOK_EVENTS)
    added = 0
    missing: list[tuple[str | None, Any]] = []
    for event, matcher in HOOK_EVENTS:
        groups = _list(hooks.member(event), f"hooks.{event}", target.settings)
        if groups is None:
            missing.append((event, [_group(matcher, target.command)]))
            created.add(f"hooks.{event}")
        elif not any(_is_ours(_loads(text, g), target.command) for g in groups.children):
            text = append(text, groups, [(None, _group(matcher, target.command))])
        else:
            continue
        added += 1
        hooks = _hooks(text, target.settings)
        assert hooks is not None
    return append(text, hooks, missing), added


def _add_deny(text: str, target: Target, created: set[str]) -> tuple[str, list[str]]:
    root = parse(text)
    permissions = _object(root.member("permissions"), "permissions", target.settings)
    if permissions is None:
        created.update({"permissions", "permissions.deny"})
        rules = list(target.deny)
        return append(text, root, [("permissions", {"deny": rules})]), rules
    deny = _list(permissions.member("deny"), "permissions.deny", target.settings)
    if deny is None:
        created.add("permissions.deny")
        rules = list(target.deny)
        return append(text, permissions, [("deny", rules)]), rules
    present = {_loads(text, rule) for rule in deny.children if rule.kind == "scalar"}
    rules = [rule for rule in target.deny if rule not in present]
    return append(text, deny, [(None, rule) for rule in rules]), rules


def _remove_deny(text: str, rules: set[str], settings: Path) -> tuple[str, int]:
    removed = 0
    while True:
        deny = _deny(text, settings)
        at = next(
            (
                index
                for index, rule in enumerate(deny.children if deny is not None else ())
                if rule.kind == "scalar" and rule.value in rules
            ),
            None,
        )
        if deny is None or at is None:
            return text, removed
        text = remove(text, deny, at)
        removed += 1


def _remove_hooks(text: str, command: str, settings: Path) -> tuple[str, int]:
    """Our handlers out of every event: the whole group when it holds only ours."""
    removed = 0
    while True:
        hooks = _hooks(text, settings)
        found = _our_handler(text, hooks, command) if hooks is not None else None
        if found is None:
            return text, removed
        groups, index, handlers, handler = found
        if len(handlers.children) == 1:
            text = remove(text, groups, index)
            removed += 1
        else:
            text = remove(text, handlers, handler)


def _our_handler(text: str, hooks: Node, command: str) -> tuple[Node, int, Node, int] | None:
    for groups in hooks.children:
        if groups.kind != "array":
            continue
        for index, group in enumerate(groups.children):
            handlers = group.member("hooks") if group.kind == "object" else None
            if handlers is None or handlers.kind != "array":
                continue
            for at, handler in enumerate(handlers.children):
                if _handler_is_ours(_loads(text, handler), command):
                    return groups, index, handlers, at
    return None


def _loads(text: str, node: Node) -> Any:
    return json.loads(text[node.start : node.end])


def _drop_empty(text: str, paths: list[str]) -> str:
    """Remove the keys in ``paths`` (deepest first) whose value is now empty."""
    for path in sorted(paths, key=lambda p: -p.count(".")):
        parent = parse(text)
        *up, name = path.split(".")
        for key in up:
            child = parent.member(key) if parent.kind == "object" else None
            if child is None:
                break
            parent = child
        else:
            index = parent.index(name) if parent.kind == "object" else None
            if index is not None:
                value = parent.children[index]
                if value.kind in {"object", "array"} and not value.children:
                    text = remove(text, parent, index)
    return text


def install(target: Target) -> InstallReport:
    text = _read(target.settings)
    previously = _state(target)
    created: set[str] = set(previously.get("created", []))
    created_dirs = set(previously.get("created_dirs", []))
    # Relative to the directory above the state file (the project root, or ~), since the
    # project's state file is committed and read on other clones.
    base = target.state.parent.parent
    created_dirs.update(
        str(d.relative_to(base))
        for d in {target.settings.parent, target.shim.parent}
        if not d.exists()
    )
    created_file = bool(previously.get("created_file")) or text is None
    before = text
    text = "{}\n" if text is None else text
    # Rules an earlier agentgov added and no longer writes (the dead Write(...) rules).
    ours_before = set(previously.get("deny", []))
    text, _ = _remove_deny(text, ours_before - set(target.deny), target.settings)
    text, added_hooks = _add_hooks(text, target, created)
    text, new_rules = _add_deny(text, target, created)
    changed = text != before
    if changed:
        _save(target.settings, text)
    _write_shim(target.shim)
    state: dict[str, Any] = {
        "deny": sorted((ours_before & set(target.deny)) | set(new_rules)),
        "command": target.command,
        "created": sorted(created),
        "created_file": created_file,
        "created_dirs": sorted(created_dirs),
    }
    if previously and "created" not in previously:
        # An earlier agentgov did not record the keys it created: uninstall keeps its rule
        # of removing the containers that end up empty.
        del state["created"]
    target.state.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    return InstallReport(target.settings, target.shim, added_hooks, len(new_rules), changed)


def uninstall(target: Target) -> InstallReport:
    text = _read(target.settings)
    state = _state(target)
    removed_hooks = removed_deny = 0
    changed = False
    if text is not None:
        before = text
        text, removed_hooks = _remove_hooks(text, target.command, target.settings)
        text, removed_deny = _remove_deny(text, set(state.get("deny", [])), target.settings)
        created = state.get("created")
        if not isinstance(created, list):  # an install before agentgov recorded them
            hooks = parse(text).member("hooks")
            events = hooks.keys if hooks is not None and hooks.kind == "object" else ()
            created = [*(f"hooks.{e}" for e in events), "hooks", "permissions.deny", "permissions"]
        text = _drop_empty(text, [str(path) for path in created])
        changed = text != before
        if state.get("created_file") and json.loads(text) == {}:
            target.settings.unlink()
        elif changed:
            _save(target.settings, text)
    for path in (target.shim, target.state):
        path.unlink(missing_ok=True)
    # Directories agentgov created, if nothing else is in them now (never a policy's).
    base = target.state.parent.parent
    for directory in sorted(state.get("created_dirs", []), key=len, reverse=True):
        with contextlib.suppress(OSError):
            (base / directory).rmdir()
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
