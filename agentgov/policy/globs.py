"""Glob matching for paths, branches and names, compiled once and cached.

Path and branch globs follow gitignore conventions: ``*`` and ``?`` stay within one
``/``-separated segment, ``**`` as a whole segment spans any number of them, ``[...]`` is a
character class. A glob without ``/`` matches the last segment of a path at any depth
(``*.md`` matches ``docs/a.md``), as in gitignore. Name globs (hosts, kube contexts) treat
``*`` as "anything".
"""

from __future__ import annotations

import re
from functools import lru_cache


class GlobError(ValueError):
    """The glob cannot be compiled; the message says why."""


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid path or branch glob, or None when it is."""
    if not pattern:
        return "an empty glob matches nothing"
    if pattern.endswith("\\"):
        return "a glob cannot end with a backslash"
    depth = 0
    for char in pattern:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    if depth:
        return "unclosed '[' in glob"
    for segment in pattern.split("/"):
        if "**" in segment and segment != "**":
            return f"'**' must be a whole path segment (got {segment!r}); use '*' within a name"
    return None


@lru_cache(maxsize=1024)
def _path_regex(pattern: str, subtree: bool = True) -> re.Pattern[str]:
    problem = glob_problem(pattern)
    if problem:
        raise GlobError(problem)
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    parts: list[str] = []
    segments = body.split("/")
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if segment == "**":
            parts.append("(?:.*/)?" if not last else ".*")
            continue
        parts.append(_segment_regex(segment) + ("" if last else "/"))
    regex = "".join(parts)
    if not anchored:
        regex = "(?:.*/)?" + regex
    # A directory glob also covers everything beneath it (``docs`` covers ``docs/a.md``);
    # a branch glob names refs, never a subtree (``release/*`` is not ``release/1/x``).
    return re.compile(regex + ("(?:/.*)?" if subtree else ""), re.DOTALL)


def _segment_regex(segment: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = segment.find("]", index + 2)
            if end == -1:
                out.append(re.escape(char))
            else:
                inner = segment[index + 1 : end]
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append("[" + inner.replace("\\", "\\\\") + "]")
                index = end
        elif char == "\\" and index + 1 < len(segment):
            index += 1
            out.append(re.escape(segment[index]))
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def match_path(path: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """True when the repository-relative ``path`` matches any of ``patterns``."""
    clean = path.replace("\\", "/").lstrip("./") if path.startswith("./") else path
    clean = clean.replace("\\", "/").strip("/")
    return any(_path_regex(pattern).fullmatch(clean) for pattern in patterns)


def match_branch(branch: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """True when a branch name (``main``, ``refs/heads/main``) matches any glob."""
    name = branch.removeprefix("refs/heads/")
    for pattern in patterns:
        regex = _path_regex(pattern if "/" in pattern else "/" + pattern, subtree=False)
        if regex.fullmatch(name):
            return True
    return False


@lru_cache(maxsize=1024)
def _name_regex(pattern: str) -> re.Pattern[str]:
    out = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.compile(out, re.IGNORECASE | re.DOTALL)


def match_name(name: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """Case-insensitive match of a host, context or module name; ``*`` spans anything."""
    return any(_name_regex(pattern).fullmatch(name) for pattern in patterns)
