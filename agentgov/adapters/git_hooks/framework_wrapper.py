"""Is agentgov's own pre-push check in front of pre-commit's? The framework hooks ask.

pre-commit never runs a pre-push hook for a push whose every ref is a deletion, so through
``repo: <agentgov>`` alone ``git push origin --delete release/1.0`` reaches the remote
unjudged. ``agentgov install git`` closes that by wrapping pre-commit's pre-push script
with agentgov's shim. Where pre-commit's scripts are installed in a clone and the wrapper is
not, agentgov's framework hooks (``agentgov-validate`` on every commit, ``agentgov-protect``
on every push pre-commit does show them) refuse, naming the command that fixes it; see
docs/git-hooks.md. Where no pre-commit script is installed (``pre-commit run`` in CI),
no git push happens through pre-commit, and nothing is asked.
"""

from __future__ import annotations

from pathlib import Path

from agentgov.adapters.git_hooks.chain import chained_path, is_pre_commit_script
from agentgov.adapters.git_hooks.framework_hooks import HOOK_TYPES
from agentgov.adapters.git_hooks.install import is_agentgov_shim


def _hooks_dir(root: Path) -> Path | None:
    from agentgov.git_layout import run_git

    out = run_git(root, "rev-parse", "--git-path", "hooks")
    if out is None:
        return None
    path = Path(out.decode().strip())
    return path if path.is_absolute() else root / path


def missing_wrapper(root: Path, action: str) -> str | None:
    """The refusal when pre-commit's hooks run here without agentgov's pre-push wrapper;
    None when the wrapper is there, or pre-commit's hooks are not installed at all.
    ``action`` is what is refused ("commit", "push")."""
    directory = _hooks_dir(root)
    if directory is None:
        return None
    if is_agentgov_shim(directory / "pre-push"):
        return None
    scripts = [directory / name for name in HOOK_TYPES]
    scripts += [chained_path(directory, name) for name in HOOK_TYPES]
    if not any(is_pre_commit_script(path) for path in scripts):
        return None
    return (
        f"{action} refused: pre-commit runs agentgov's hooks in this clone, but agentgov's "
        "own pre-push check is not installed, and pre-commit never runs a pre-push hook for "
        "a branch deletion (git push origin --delete <protected branch> would go unchecked). "
        f"Run `agentgov install git` once in this clone (it keeps pre-commit's hooks and "
        f"wraps its pre-push script), then {action} again"
    )
