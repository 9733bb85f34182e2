"""Add agentgov's hooks to a team's ``.pre-commit-config.yaml``, and take them out again.

The file is edited with ruamel.yaml's round-trip mode, so comments, key order, quoting and
the file's own indentation survive. agentgov's hooks go in as one ``repo: local`` block
appended to ``repos:`` (see ``framework_hooks.LOCAL_LANGUAGE`` for why local rather than
agentgov's own repository at a pinned rev). A file that already names any ``agentgov-*``
hook is left alone: the team chose how to run agentgov.

Removal is exact when nobody touched the file since: the original bytes are restored.
Otherwise only agentgov's block is removed, and everything else a person changed is kept.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from agentgov.adapters.git_hooks.framework_hooks import FRAMEWORK_HOOKS, local_hook_config
from agentgov.errors import UsageError

CONFIG_NAME = ".pre-commit-config.yaml"
_OURS = frozenset(hook.id for hook in FRAMEWORK_HOOKS)


def _yaml(text: str) -> tuple[Any, Any]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        _, indent, block_seq_indent = load_yaml_guess_indent(text)
        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 4096  # never fold a long value (a files: pattern) onto a new line
        yaml.indent(mapping=indent, sequence=indent, offset=block_seq_indent)
        return yaml, yaml.load(text)
    except YAMLError as err:
        raise UsageError(
            f"{CONFIG_NAME} is not valid YAML ({err}); fix it, then rerun. agentgov did not "
            "change it."
        ) from None


def _dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().rstrip("\n") + "\n"


def _repos(data: Any, path: Path) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the top level must be a mapping; agentgov did not change it")
    repos = data.get("repos")
    if repos is None:
        repos = data["repos"] = CommentedSeq()
    if not isinstance(repos, list):
        raise UsageError(f"{path}: 'repos' must be a list; agentgov did not change it")
    return data, repos


def names_agentgov(repo: object) -> bool:
    if not isinstance(repo, dict) or not isinstance(repo.get("hooks"), list):
        return False
    return any(isinstance(hook, dict) and hook.get("id") in _OURS for hook in repo["hooks"])


def with_agentgov(text: str, path: Path) -> str | None:
    """The config with agentgov's block appended, or None when it names agentgov already."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml, loaded = _yaml(text)
    data, repos = _repos(loaded, path)
    if any(names_agentgov(repo) for repo in repos):
        return None
    hooks = CommentedSeq()
    for hook in FRAMEWORK_HOOKS:
        entry = CommentedMap()
        for key, value in local_hook_config(hook).items():
            if isinstance(value, list):
                flow = CommentedSeq(value)
                flow.fa.set_flow_style()
                entry[key] = flow
            else:
                entry[key] = value
        hooks.append(entry)
    block = CommentedMap()
    block["repo"] = "local"
    block["hooks"] = hooks
    repos.append(block)
    return _dump(yaml, data)


def without_agentgov(text: str, path: Path) -> str | None:
    """The config without agentgov's ``repo: local`` block, or None when it has none."""
    yaml, loaded = _yaml(text)
    data, repos = _repos(loaded, path)
    found = False
    for index in reversed(range(len(repos))):
        repo = repos[index]
        if repo.get("repo") == "local" and names_agentgov(repo):
            hooks = [hook for hook in repo["hooks"] if hook.get("id") not in _OURS]
            if hooks:
                repo["hooks"][:] = hooks
            else:
                del repos[index]
            found = True
    return _dump(yaml, data) if found else None
