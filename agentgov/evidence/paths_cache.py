"""The paths each agent commit changed, cached: the history side's one costly git call.

An agent commit whose decisions recorded no edit is placed in a task class by the paths
it changed against its first parent (``git_history.changed_paths``, one ``git diff-tree``
over every such commit). A commit id names its tree and its parents, so what it changed
never changes, and a warm run asks git only about commits it has not seen. Except at a
shallow clone's boundary: there git diffs against nothing, and fetching the parents later
changes the answer, so those commits are never cached.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from agentgov.evidence import cache_file
from agentgov.evidence.git_history import changed_paths
from agentgov.git_layout import RepoLayout

VERSION = 1


class CachedPaths:
    """``changed_paths`` with a cache in ``layout``'s state directory."""

    def __init__(self, layout: RepoLayout, shallow: Collection[str] = ()) -> None:
        self.path = layout.state_dir / "cache" / f"changed-paths-v{VERSION}.marshal"
        self.shallow = frozenset(shallow)

    def __call__(self, root: Path, shas: Sequence[str]) -> Mapping[str, tuple[str, ...]]:
        if not shas:
            return {}
        known = self._load()
        missing = [sha for sha in shas if sha not in known]
        fresh = changed_paths(root, missing)
        lasting = {sha: paths for sha, paths in fresh.items() if sha not in self.shallow}
        if lasting:
            cache_file.save(self.path, {**known, **lasting})
        return {sha: known[sha] if sha in known else fresh[sha] for sha in shas}

    def _load(self) -> dict[str, tuple[str, ...]]:
        loaded = cache_file.load(self.path)
        if not isinstance(loaded, dict):
            return {}
        sound: dict[str, tuple[str, ...]] = {}
        for sha, paths in loaded.items():
            if (
                type(sha) is not str
                or type(paths) is not tuple
                or any(type(changed) is not str for changed in paths)
            ):
                return {}  # of another shape: not trusted
            if sha not in self.shallow:
                sound[sha] = paths
        return sound
