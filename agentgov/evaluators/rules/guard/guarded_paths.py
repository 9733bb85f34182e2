"""The files that make up the guard, and whether an absolute path (or glob) reaches one.

Guarded, relative to the root of every repository the action touches (each found from the
path being touched, whatever the cwd): ``.agentgov/`` (the policy), ``.git/hooks/``,
``.git/agentgov/`` (the audit journal), the audit notes ref's file under ``.git/``,
``.git/config`` (where ``core.hooksPath`` lives), ``.pre-commit-config.yaml`` and
``.claude/settings*.json``; relative to the home directory: ``.claude/settings*.json`` and
the user kill switch file ``.config/agentgov/kill``; and, machine-wide, the system kill
switch file ``/etc/agentgov/kill`` and the container markers ``/.dockerenv`` and
``/run/.containerenv`` (sandbox signals: docs/evidence.md). The clone's kill switch and
incidents files are inside ``.git/agentgov/``.

A command that acts on a whole tree (``rm -r``, ``mv``, ``chmod``) reaches a guarded file
through any directory strictly inside the project or home that holds one (``rm -rf .git``,
``mv .claude /tmp``), but not through the project or home directory itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache

from agentgov.evaluators.rules.path_words import is_within

_SETTINGS = ("settings.json", "settings.local.json")
# Every guarded path, and every directory strictly inside a base that holds one, contains
# one of these.
_MARKERS = (
    ".agentgov",
    ".git",
    ".claude",
    ".pre-commit-config",
    ".config",
    "etc/agentgov",
    ".dockerenv",
    ".containerenv",
)
USER_KILL_FILE = ".config/agentgov/kill"
SYSTEM_KILL_FILE = "/etc/agentgov/kill"


@dataclass(frozen=True)
class Guarded:
    """One guarded file or directory: its absolute path, a name for messages, and the
    directory whose proper descendants may be acted on as ancestors of it."""

    path: str
    label: str
    base: str
    pattern: str | None = None  # a basename glob the last segment must match instead


@lru_cache(maxsize=64)
def guarded_entries(
    project_root: str | tuple[str, ...] | None, home: str, notes_ref: str
) -> tuple[Guarded, ...]:
    """Every guarded location for these repositories (one root, several, or None) and user.
    Each repository's guard is found from its own root, whatever the cwd: a write into
    another repository (``echo x > /abs/other/.agentgov/policy.yaml``) reaches its guard."""
    roots = (project_root,) if isinstance(project_root, str) else project_root or ()
    entries: list[Guarded] = []
    for project in roots:
        entries.extend(_under_root(project.rstrip("/") or "/", notes_ref))
    for name in _SETTINGS:
        entries.append(
            Guarded(
                f"{home.rstrip('/')}/.claude/{name}",
                "Claude Code's user hook settings",
                home,
                "settings*.json",
            )
        )
    entries.append(
        Guarded(
            f"{home.rstrip('/')}/{USER_KILL_FILE}",
            "the user kill switch file (~/.config/agentgov/kill)",
            home,
        )
    )
    entries.append(Guarded(SYSTEM_KILL_FILE, "the system kill switch file", "/etc"))
    for marker in ("/.dockerenv", "/run/.containerenv"):
        entries.append(Guarded(marker, f"the container marker {marker} (a sandbox signal)", "/"))
    return tuple(entries)


def _under_root(root: str, notes_ref: str) -> list[Guarded]:
    """The guarded locations of the repository at ``root``."""
    entries: list[Guarded] = []

    def under(relative: str, label: str, pattern: str | None = None) -> None:
        entries.append(Guarded(f"{root.rstrip('/')}/{relative}", label, root, pattern))

    under(".agentgov", "agentgov's policy directory .agentgov/")
    under(".git/hooks", "the git hooks in .git/hooks/")
    under(".git/agentgov", "agentgov's audit journal in .git/agentgov/")
    under(f".git/{notes_ref}", f"the audit trail ref {notes_ref}")
    under(".git/config", "the repository's git config (where core.hooksPath is set)")
    under(".pre-commit-config.yaml", "the pre-commit configuration")
    for name in _SETTINGS:
        under(f".claude/{name}", "Claude Code's hook settings", "settings*.json")
    return entries


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _segment_matches(pattern: str, name: str) -> bool:
    # As in the shell, a wildcard does not match a leading dot.
    if name.startswith(".") and not pattern.startswith("."):
        return False
    return fnmatchcase(name, pattern)


def _reaches(path: str, entry: Guarded) -> bool:
    """A concrete path writes ``entry`` or something beneath it."""
    if entry.pattern is not None:
        parent, _, name = path.rpartition("/")
        entry_parent = entry.path.rpartition("/")[0]
        return parent == entry_parent and fnmatchcase(name, entry.pattern)
    return is_within(path, entry.path)


def _holds(path: str, entry: Guarded) -> bool:
    """``path`` is a directory strictly inside the entry's base that contains the entry."""
    return path != entry.base and is_within(path, entry.base) and is_within(entry.path, path)


def _glob_reaches(pattern: str, entry: Guarded, tree: bool) -> bool:
    wanted = _segments(pattern)
    target = _segments(entry.path)
    common = min(len(wanted), len(target))
    pairs = zip(wanted[:common], target[:common], strict=True)
    if not all(_segment_matches(want, have) for want, have in pairs):
        return False
    if len(wanted) >= len(target):
        # The glob names the entry itself or something beneath it (``.agentgov/*``).
        return True
    # The glob names a directory that holds the entry (``rm -rf .g*``).
    prefix = "/" + "/".join(target[: len(wanted)])
    return tree and prefix != entry.base and is_within(prefix, entry.base)


_MARKER_TEXT = re.compile("|".join(re.escape(marker) for marker in _MARKERS))


def may_name_guarded(text: str) -> bool:
    """False when no path built from ``text`` (joined to a base, normalised) can be or hold
    a guarded location: every one, and every directory holding one inside its base, has
    one of the marker names in it, and normalising only drops whole segments."""
    return _MARKER_TEXT.search(text) is not None


find_guarded_name = _MARKER_TEXT.search
"""``may_name_guarded`` as the pattern's own search (a match or None), for hot loops."""


def guarded_target(
    path: str, entries: tuple[Guarded, ...], *, glob: bool = False, tree: bool = False
) -> Guarded | None:
    """The guarded entry that writing ``path`` (absolute, normalised) would change."""
    if not glob and not any(marker in path for marker in _MARKERS):
        return None  # the common case, decided without walking the entries
    for entry in entries:
        if glob:
            if _glob_reaches(path, entry, tree):
                return entry
        elif _reaches(path, entry) or (tree and _holds(path, entry)):
            return entry
    return None
