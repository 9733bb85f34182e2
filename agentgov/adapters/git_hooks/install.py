"""``agentgov install git`` / ``agentgov uninstall git``.

Where: the hooks directory git actually uses, as ``git rev-parse --git-path hooks`` reports
it. That honours ``core.hooksPath`` (a relative one is relative to the work tree), linked
worktrees (which share the main repository's hooks) and submodules (whose hooks live under
the superproject's ``.git/modules/``).

Two modes:

- **Plain hooks.** agentgov's shims (``hooks/`` in agentgov, with the path of the agentgov
  that installed them written in) become ``pre-commit``, ``pre-push``, ``post-commit`` and
  ``post-rewrite``. A hook already there is never overwritten: it is renamed
  ``<name>.pre-agentgov`` and agentgov runs it with the same arguments and stdin
  (``chain``); its failure still fails the commit or push.
- **The pre-commit framework**, where the repository has a ``.pre-commit-config.yaml``:
  agentgov's hooks are added to that file (``precommit_config``) and ``pre-commit install``
  installs each hook type they need. pre-commit's pre-push stage never sees deletions and
  sees only the first ref of a push, so its pre-push script is wrapped: agentgov's pre-push
  shim judges every ref first, then runs pre-commit's script.

Both set the notes configuration (``audit.history.configure_rewrite``: ``notes.rewriteRef``
and ``cat_sort_uniq``) so amend and rebase carry the audit trail. The ``notes.rewriteRef``
value is a glob that matches only the trail's ref (``rewrite_ref_value``), so a fresh clone
without the ref yet gets no warning from git on each amend.

What was done is recorded in ``.git/agentgov/git-hooks-install.json`` (the original
configuration values, which hooks were renamed, which hook types pre-commit installed
because of agentgov, the original config file); ``uninstall_git`` undoes exactly that.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.adapters.git_hooks.chain import chained_path, is_pre_commit_script
from agentgov.adapters.git_hooks.framework_hooks import HOOK_TYPES
from agentgov.adapters.git_hooks.precommit_config import (
    CONFIG_NAME,
    with_agentgov,
    without_agentgov,
)
from agentgov.audit.history import configure_rewrite, rewrite_ref_value
from agentgov.errors import GitError, UsageError
from agentgov.git_layout import clean_env, find_repo
from agentgov.resources import resource

HOOK_NAMES = ("pre-commit", "pre-push", "post-commit", "post-rewrite")
STATE_FILE = "git-hooks-install.json"
SHIM_MARKER = "installed by `agentgov install git`"
_INSTALLED_LINE = "AGENTGOV_INSTALLED=''"
PLAIN = "hooks"
FRAMEWORK = "pre-commit"
HOOKS_ROLE = "git's hooks directory"


@dataclass(frozen=True)
class GitInstallReport:
    """What install (or uninstall) did.

    ``hooks`` are the shims written (or removed); ``chained`` the hooks that were already
    there and now run after agentgov's (or were put back); ``hook_types`` the ones
    ``pre-commit install`` installed (or ``pre-commit uninstall`` removed);
    ``config_changed`` whether ``.pre-commit-config.yaml`` was edited.
    """

    mode: str
    hooks_dir: Path
    hooks: tuple[str, ...]
    chained: tuple[str, ...]
    notes_ref: str
    notes_configured: bool
    config_changed: bool = False
    hook_types: tuple[str, ...] = ()


# --- where -----------------------------------------------------------------------------


def _git(root: Path, *args: str, check: bool = True) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=clean_env(),
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise GitError(f"cannot run git: {err}") from None
    if check and done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args[:3])}: {detail or f'exit {done.returncode}'}")
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def hooks_dir(root: Path) -> Path:
    """The directory git runs this repository's hooks from."""
    text = _git(root, "rev-parse", "--git-path", "hooks").strip()
    path = Path(text)
    return path if path.is_absolute() else (root / path).resolve()


def _state_path(root: Path) -> Path:
    layout = find_repo(root)
    if layout is None:
        raise UsageError(f"{root} is not inside a git repository")
    return layout.state_dir / STATE_FILE


def _check_writable(directory: Path, role: str, verb: str) -> None:
    """Create (if need be) and write a probe file in ``directory``, or a UsageError that
    says what to fix. Probing is the only honest test: ``os.access`` says yes to root on
    an immutable or read-only-mounted directory, and no to a path that does not exist yet."""
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=directory, prefix=".agentgov-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as err:
        if directory.exists() and not directory.is_dir():
            reason = "it is a file, not a directory"
        elif any(parent.exists() and not parent.is_dir() for parent in directory.parents):
            reason = "a part of its path is a file, not a directory"
        else:
            reason = err.strerror or type(err).__name__
        fix = (
            "make it a directory you can write, or point core.hooksPath at one (git config "
            "core.hooksPath <dir>; git config --unset core.hooksPath for .git/hooks)"
            if role == HOOKS_ROLE
            else "make it writable"
        )
        raise UsageError(
            f"cannot {verb} agentgov's git hooks: {directory} ({role}) is not writable: "
            f"{reason}. Nothing was changed; {fix}, then rerun `agentgov {verb} git`"
        ) from None


def _check_prerequisites(directory: Path | None, state_path: Path, verb: str) -> None:
    """Everything install or uninstall will write, probed before anything changes, so a
    read-only place stops the command with nothing half done (``directory``: the hooks
    directory, None when there is none to write)."""
    if directory is not None:
        _check_writable(directory, HOOKS_ROLE, verb)
    _check_writable(state_path.parent, "agentgov's state in the git directory", verb)
    # ``git config`` writes config.lock beside config, in the common git directory.
    _check_writable(state_path.parent.parent, "the git directory, which holds its config", verb)


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temp.replace(path)


# --- shims -----------------------------------------------------------------------------


def default_agentgov_bin() -> Path | None:
    """The agentgov console script of the running installation (its venv), if any."""
    beside = Path(sys.executable).parent / "agentgov"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside.absolute()
    found = shutil.which("agentgov")
    return Path(found).absolute() if found else None


def shim_text(name: str, agentgov_bin: Path | None) -> str:
    """The shipped shim for hook ``name`` with the installing agentgov written in."""
    text = resource("hooks", name).read_text(encoding="utf-8")
    if _INSTALLED_LINE not in text:
        raise AssertionError(f"the shipped {name} shim lacks its {_INSTALLED_LINE} line")
    value = shlex.quote(str(agentgov_bin)) if agentgov_bin is not None else "''"
    return text.replace(_INSTALLED_LINE, f"AGENTGOV_INSTALLED={value}", 1)


def is_agentgov_shim(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return SHIM_MARKER.encode() in handle.read(4096)
    except OSError:
        return False


def _write_shim(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".agentgov-tmp")
    temp.write_text(text, encoding="utf-8")
    # Hooks run as whoever runs git; the shim holds no secrets.
    temp.chmod(temp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    temp.replace(path)


def _place_shim(directory: Path, name: str, agentgov_bin: Path | None) -> bool:
    """Write agentgov's shim as ``name``, keeping whatever hook was there. True when an
    existing hook was renamed to ``<name>.pre-agentgov``."""
    target = directory / name
    kept = chained_path(directory, name)
    renamed = False
    if (target.exists() or target.is_symlink()) and not is_agentgov_shim(target):
        if kept.exists() or kept.is_symlink():
            raise UsageError(
                f"both {target} and {kept} exist and neither is agentgov's shim; agentgov will "
                f"not overwrite either. Merge them into {target} (or remove {kept}), then rerun."
            )
        target.rename(kept)
        renamed = True
    _write_shim(target, shim_text(name, agentgov_bin))
    return renamed


def _remove_shim(directory: Path, name: str) -> tuple[bool, bool]:
    """Remove agentgov's shim and put back the hook it kept: (removed, restored)."""
    target = directory / name
    kept = chained_path(directory, name)
    removed = restored = False
    if is_agentgov_shim(target):
        target.unlink()
        removed = True
    if (kept.exists() or kept.is_symlink()) and not (target.exists() or target.is_symlink()):
        kept.rename(target)
        restored = True
    return removed, restored


# --- notes configuration ---------------------------------------------------------------


def _config_values(root: Path, key: str) -> list[str]:
    return _git(root, "config", "--local", "--get-all", key, check=False).splitlines()


def _configure_notes(root: Path, ref: str) -> dict[str, Any]:
    """Set the rewrite configuration; the values it had before, to restore them."""
    strategy_key = f"notes.{ref.removeprefix('refs/notes/')}.mergeStrategy"
    strategy_before = _config_values(root, strategy_key)
    mode_before = _config_values(root, "notes.rewriteMode")
    setup = configure_rewrite(root, ref)
    return {
        "ref": ref,
        "rewrite_ref_added": setup.ref_added,
        "rewrite_ref_value": rewrite_ref_value(ref),
        "rewrite_mode_before": mode_before,
        "merge_strategy_key": setup.merge_strategy_key,
        "merge_strategy_before": strategy_before,
    }


def _reconfigure_notes(root: Path, ref: str, notes: dict[str, Any]) -> dict[str, Any]:
    """A later install: the configuration again (idempotent), and an older install's plain
    ``notes.rewriteRef`` (which makes git warn in a fresh clone) replaced by the glob."""
    if notes.get("rewrite_ref_added") and "rewrite_ref_value" not in notes:
        _git(root, "config", "--local", "--fixed-value", "--unset", "notes.rewriteRef", ref,
             check=False)  # fmt: skip
        notes = {**notes, "rewrite_ref_value": rewrite_ref_value(ref)}
    configure_rewrite(root, ref)  # adds the glob; the values from before stay recorded
    return notes


def _restore_config(root: Path, key: str, before: list[str]) -> None:
    _git(root, "config", "--local", "--unset-all", key, check=False)
    for value in before:
        _git(root, "config", "--local", "--add", key, value)


def _unconfigure_notes(root: Path, notes: dict[str, Any]) -> bool:
    if not notes:
        return False
    ref = str(notes.get("ref", ""))
    value = str(notes.get("rewrite_ref_value", ref))
    if notes.get("rewrite_ref_added") and value:
        _git(root, "config", "--local", "--fixed-value", "--unset", "notes.rewriteRef", value,
             check=False)  # fmt: skip
    _restore_config(root, "notes.rewriteMode", list(notes.get("rewrite_mode_before", [])))
    key = str(notes.get("merge_strategy_key", ""))
    if key:
        _restore_config(root, key, list(notes.get("merge_strategy_before", [])))
    return True


# --- the pre-commit framework ----------------------------------------------------------


def pre_commit_command(verb: str = "install") -> list[str]:
    """How to run pre-commit: the one beside agentgov, else the one on PATH. ``verb`` is
    the agentgov command that needs it, named in the error."""
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    if found:
        return [found]
    if verb == "uninstall":
        raise UsageError(
            "agentgov's install ran `pre-commit install` here, and undoing it needs "
            "pre-commit, which is not installed; nothing was changed: pip install "
            "pre-commit, then rerun `agentgov uninstall git`"
        )
    raise UsageError(
        f"this repository uses the pre-commit framework ({CONFIG_NAME}), but pre-commit is "
        "not installed; nothing was changed: pip install pre-commit, then rerun "
        "`agentgov install git`"
    )


def _pre_commit(root: Path, command: Sequence[str], verb: str, types: Sequence[str]) -> None:
    if not types:
        return
    args = [*command, verb]
    for hook_type in types:
        args += ["--hook-type", hook_type]
    try:
        done = subprocess.run(
            args,
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=clean_env(),
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise UsageError(f"cannot run pre-commit {verb}: {err}") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode("utf-8", "replace").strip()
        raise UsageError(f"pre-commit {verb} failed: {output}")


@dataclass(frozen=True)
class _ConfigEdit:
    original: bytes
    edited: str | None
    """None when the file names agentgov's hooks already."""


def _plan_config_edit(path: Path) -> _ConfigEdit:
    """Read and edit the config in memory first, so a file agentgov cannot edit stops the
    install before anything changed."""
    try:
        original = path.read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}") from None
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; agentgov did not change it") from None
    return _ConfigEdit(original, with_agentgov(text, path))


def _apply_config_edit(path: Path, edit: _ConfigEdit) -> dict[str, Any]:
    if edit.edited is None:
        return {"changed": False}
    path.write_text(edit.edited, encoding="utf-8")
    return {
        "changed": True,
        "original": base64.b64encode(edit.original).decode("ascii"),
        "written_sha256": hashlib.sha256(edit.edited.encode("utf-8")).hexdigest(),
    }


def _unedit_config(path: Path, record: dict[str, Any]) -> bool:
    if not record.get("changed"):
        return False
    try:
        current = path.read_bytes()
    except OSError:
        return False
    if hashlib.sha256(current).hexdigest() == record.get("written_sha256"):
        path.write_bytes(base64.b64decode(record.get("original", "")))
        return True
    edited = without_agentgov(current.decode("utf-8", "replace"), path)
    if edited is None:
        return False
    path.write_text(edited, encoding="utf-8")
    return True


# --- install / uninstall ---------------------------------------------------------------


def _notes_ref(root: Path) -> str:
    from agentgov.policy.in_force import policy_in_force

    return policy_in_force(root).policy.audit.notes_ref


def install_git(
    root: Path,
    *,
    agentgov_bin: Path | None = None,
    pre_commit: Sequence[str] | None = None,
) -> GitInstallReport:
    """Install agentgov's git hooks into ``root``'s repository (idempotent).

    ``agentgov_bin`` is written into the shims (default: the running installation's);
    ``pre_commit`` is how to run pre-commit in framework mode (default: beside agentgov,
    else PATH). Raises PolicyError when the policy in force is invalid (its notes ref is
    needed), UsageError when an existing hook or config cannot be kept safely.
    """
    root = root.resolve()
    state_path = _state_path(root)
    state = _read_state(state_path)
    framework = (root / CONFIG_NAME).is_file()
    mode = FRAMEWORK if framework else PLAIN
    if state and state.get("mode") != mode:
        uninstall_git(root)  # the repository switched modes since the last install
        state = {}
    ref = _notes_ref(root)
    directory = hooks_dir(root)
    _check_prerequisites(directory, state_path, "install")
    agentgov_bin = agentgov_bin or default_agentgov_bin()
    chained = set(state.get("chained", []))
    hook_types: list[str] = list(state.get("hook_types", []))
    config_record: dict[str, Any] = state.get("config", {"changed": False})
    if framework:
        command = list(pre_commit) if pre_commit is not None else pre_commit_command()
        edit = None if config_record.get("changed") else _plan_config_edit(root / CONFIG_NAME)
        missing = [t for t in HOOK_TYPES if not is_pre_commit_script(directory / t)]
        if is_agentgov_shim(directory / "pre-push"):
            missing = [t for t in missing if t != "pre-push"]  # wrapped by an earlier install
        _pre_commit(root, command, "install", missing)
        hook_types = sorted(set(hook_types) | set(missing))
        if edit is not None:
            config_record = _apply_config_edit(root / CONFIG_NAME, edit)
        shims: tuple[str, ...] = ("pre-push",)
    else:
        shims = HOOK_NAMES
    for name in shims:
        if _place_shim(directory, name, agentgov_bin):
            chained.add(name)
    if state.get("notes"):
        notes = _reconfigure_notes(root, ref, state["notes"])
    else:
        notes = _configure_notes(root, ref)
    _write_state(
        state_path,
        {
            "v": 1,
            "mode": mode,
            "hooks_dir": str(directory),
            "hooks": list(shims),
            "chained": sorted(chained),
            "hook_types": hook_types,
            "config": config_record,
            "notes": notes,
        },
    )
    return GitInstallReport(
        mode=mode,
        hooks_dir=directory,
        hooks=tuple(shims),
        chained=tuple(sorted(chained)),
        notes_ref=ref,
        notes_configured=True,
        config_changed=bool(config_record.get("changed")),
        hook_types=tuple(hook_types),
    )


def uninstall_git(root: Path, *, pre_commit: Sequence[str] | None = None) -> GitInstallReport:
    """Undo what ``install_git`` recorded: shims out, kept hooks back, configuration and
    ``.pre-commit-config.yaml`` as they were. Without a record, only agentgov's own shims
    in the hooks directory are removed."""
    root = root.resolve()
    state_path = _state_path(root)
    state = _read_state(state_path)
    directory = Path(state["hooks_dir"]) if state.get("hooks_dir") else hooks_dir(root)
    names = tuple(state.get("hooks", HOOK_NAMES))
    hook_types = tuple(state.get("hook_types", ()))
    # Everything uninstall needs is found before it changes anything: a missing pre-commit
    # or a read-only hooks directory leaves the installation whole, to retry.
    command: list[str] = []
    if hook_types:
        command = list(pre_commit) if pre_commit is not None else pre_commit_command("uninstall")
    _check_prerequisites(directory if directory.is_dir() else None, state_path, "uninstall")
    removed: list[str] = []
    restored: list[str] = []
    for name in names:
        gone, back = _remove_shim(directory, name)
        if gone:
            removed.append(name)
        if back:
            restored.append(name)
    if hook_types:
        _pre_commit(root, command, "uninstall", hook_types)
    config_changed = _unedit_config(root / CONFIG_NAME, state.get("config", {}))
    notes = state.get("notes", {})
    unconfigured = _unconfigure_notes(root, notes)
    state_path.unlink(missing_ok=True)
    return GitInstallReport(
        mode=str(state.get("mode", PLAIN)),
        hooks_dir=directory,
        hooks=tuple(removed),
        chained=tuple(restored),
        notes_ref=str(notes.get("ref", "")),
        notes_configured=unconfigured,
        config_changed=config_changed,
        hook_types=hook_types,
    )
