"""Checks the schema cannot express, run after it passes; each names file:line:col.

- the class x level matrix stays monotonic after overrides (a higher level is never stricter);
- a level is not given twice under two names (``3`` and ``execute-gated``);
- ladder and rollback thresholds are in range, windows are positive;
- globs compile;
- a rollback trigger names existing classes, and its target is below their level.
"""

from __future__ import annotations

import difflib
from typing import Any

from agentgov.policy.build import DEFAULT_MATRIX, parse_window_days
from agentgov.policy.globs import glob_problem
from agentgov.policy.model import RATE_METRICS, ActionClass, Level, Verdict
from agentgov.policy.source_text import Document, KeyPath

MAX_WINDOW_DAYS = 366


def semantic_problems(document: Document) -> list[str]:
    data = document.data
    problems: list[str] = []
    problems += _matrix(document, data.get("matrix", {}))
    problems += _ladder(document, data.get("ladder", {}))
    problems += _rollback(document, data.get("rollback", []), data["task_classes"])
    problems += _globs(document, data)
    problems += _cooldown(document, data.get("evidence", {}))
    return problems


def _cooldown(document: Document, evidence: dict[str, Any]) -> list[str]:
    if "incident_cooldown" not in evidence:
        return []
    text = evidence["incident_cooldown"]
    if parse_window_days(text) > MAX_WINDOW_DAYS:
        path = ("evidence", "incident_cooldown")
        return [document.problem(path, f"{text!r} is longer than a year ({MAX_WINDOW_DAYS}d)")]
    return []


def _levels_once(document: Document, path: KeyPath, keys: list[str]) -> list[str]:
    seen: dict[int, str] = {}
    problems = []
    for key in keys:
        level = Level.parse(key).value
        if level in seen:
            problems.append(
                document.problem(
                    (*path, key),
                    f"level {level} is already given as {seen[level]!r}; keep one",
                    key=True,
                )
            )
        seen[level] = key
    return problems


def _matrix(document: Document, overrides: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    for action_name, levels in overrides.items():
        path: KeyPath = ("matrix", action_name)
        problems += _levels_once(document, path, list(levels))
        row = list(DEFAULT_MATRIX[ActionClass(action_name)])
        where: dict[int, str] = {}
        for key, verdict in levels.items():
            number = Level.parse(key).value
            row[number - 1] = Verdict(verdict)
            where[number] = key
        for number in range(2, 6):
            lower, higher = row[number - 2], row[number - 1]
            if higher.severity > lower.severity:
                key = where.get(number) or where.get(number - 1) or ""
                problems.append(
                    document.problem(
                        (*path, key) if key else path,
                        f"{higher.value} at level {number} is stricter than {lower.value} at "
                        f"level {number - 1}; a higher level is never stricter",
                    )
                )
                break
    return problems


def _criterion(document: Document, path: KeyPath, item: dict[str, Any]) -> list[str]:
    problems = []
    metric, threshold = item["metric"], item["threshold"]
    if item["op"] == "not-rising":
        if threshold < 0:
            problems.append(
                document.problem(
                    (*path, "threshold"),
                    f"{threshold} is negative; not-rising takes the rise allowed (0 or more)",
                )
            )
    elif metric in RATE_METRICS and not 0 <= threshold <= 1:
        problems.append(
            document.problem(
                (*path, "threshold"),
                f"{threshold} is out of range for {metric}, a rate from 0 to 1 (95% is 0.95)",
            )
        )
    elif metric not in RATE_METRICS and threshold < 0:
        problems.append(
            document.problem((*path, "threshold"), f"{threshold} seconds cannot be negative")
        )
    days = parse_window_days(item["window"])
    if days <= 0:
        problems.append(
            document.problem((*path, "window"), f"{item['window']!r} is empty; use 1d or more")
        )
    elif days > MAX_WINDOW_DAYS:
        problems.append(
            document.problem(
                (*path, "window"), f"{item['window']!r} is longer than a year ({MAX_WINDOW_DAYS}d)"
            )
        )
    return problems


def _ladder(document: Document, ladder: dict[str, list[dict[str, Any]]]) -> list[str]:
    problems = _levels_once(document, ("ladder",), list(ladder))
    for key, criteria in ladder.items():
        for index, item in enumerate(criteria):
            problems += _criterion(document, ("ladder", key, str(index)), item)
    return problems


def _rollback(
    document: Document, triggers: list[dict[str, Any]], classes: dict[str, dict[str, Any]]
) -> list[str]:
    problems = []
    for index, item in enumerate(triggers):
        path: KeyPath = ("rollback", str(index))
        if "metric" in item:
            problems += _criterion(document, path, item)
        action = item["action"]
        target_key = "demote_to" if "demote_to" in action else "reset_to"
        target = Level.parse(action[target_key]) if target_key in action else None
        for position, name in enumerate(item.get("classes", [])):
            class_path = (*path, "classes", str(position))
            if name not in classes:
                close = difflib.get_close_matches(name, list(classes), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(document.problem(class_path, f"no task class {name!r}{hint}"))
                continue
            level = Level.parse(classes[name]["level"])
            # equal is a no-op, as after a demotion to that level (`agentgov rollback`)
            if target is not None and target.value > level.value:
                problems.append(
                    document.problem(
                        (*path, "action", target_key),
                        f"{target.id} ({target.value}) is above {name}'s level "
                        f"{level.id} ({level.value}); a rollback only demotes",
                    )
                )
    return problems


def _globs(document: Document, data: dict[str, Any]) -> list[str]:
    places: list[tuple[KeyPath, str]] = []
    for index, pattern in enumerate(data.get("protected_branches", [])):
        places.append((("protected_branches", str(index)), pattern))
    for name, task_class in data["task_classes"].items():
        for field in ("paths", "branches"):
            for index, pattern in enumerate(task_class.get(field, [])):
                places.append((("task_classes", name, field, str(index)), pattern))
    problems = []
    for path, pattern in places:
        problem = glob_problem(pattern)
        if problem is None and path[-2] in {"branches", "protected_branches"}:
            problem = _branch_problem(pattern)
        if problem:
            problems.append(document.problem(path, f"{pattern!r}: {problem}"))
    return problems


def _branch_problem(pattern: str) -> str | None:
    if any(char.isspace() for char in pattern):
        return "a branch name cannot contain spaces"
    for bad in ("..", "~", "^", ":", "@{"):
        if bad in pattern:
            return f"a branch name cannot contain {bad!r}"
    if pattern.startswith("-") or pattern.endswith((".", "/", ".lock")):
        return "not a valid branch name (git check-ref-format)"
    return None
