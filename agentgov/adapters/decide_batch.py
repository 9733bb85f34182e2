"""``agentgov decide --batch``: JSON lines in, one JSON decision per line out.

Input lines are ``{"command": "...", "cwd"?: "...", "level"?: 3 | "execute-gated"}``. A line
that is not such an object gets ``{"v": 1, "error": "..."}`` in its place and the batch
goes on; the caller's exit code then says some lines were bad. As for a single
``decide``, the paths a command writes choose its task class (docs/policy.md#task-classes);
a placement is reused across lines only for commands that write nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from agentgov.adapters.local_context import Placement, place, shell_work
from agentgov.engine import evaluate
from agentgov.policy.model import Level, Policy
from agentgov.reporters.decision_report import decision_dict
from agentgov.subjects import ShellCommand


def decide_lines(
    source: IO[str],
    sink: IO[str],
    policy: Policy,
    cwd: Path,
    level: Level | None,
    task_class: str | None,
) -> int:
    """Judge every line of ``source``; return how many lines were not valid input."""
    placements: dict[tuple[str, Level | None], Placement] = {}
    bad = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            command, where, case_level = _case(case, cwd, level)
        except ValueError as err:
            bad += 1
            sink.write(json.dumps({"v": 1, "line": number, "error": str(err)}) + "\n")
            continue
        work = shell_work(command, Path(where))
        if work.paths:
            placement = place(
                policy,
                Path(where),
                level=case_level,
                task_class=task_class,
                paths=work.paths,
                partial=True,
            )
        else:
            key = (where, case_level)
            if key not in placements:
                placements[key] = place(
                    policy, Path(where), level=case_level, task_class=task_class
                )
            placement = placements[key]
        decision = evaluate(
            ShellCommand(command), policy, placement.context, analysis=work.analysis
        )
        sink.write(json.dumps(decision_dict(decision), separators=(",", ":")) + "\n")
    return bad


def _case(case: object, cwd: Path, level: Level | None) -> tuple[str, str, Level | None]:
    if not isinstance(case, dict):
        raise ValueError("each line must be a JSON object with a 'command' string")
    command = case.get("command")
    if not isinstance(command, str):
        raise ValueError("'command' must be a string")
    where = case.get("cwd", str(cwd))
    if not isinstance(where, str):
        raise ValueError("'cwd' must be a string")
    raw_level = case.get("level")
    if raw_level is None:
        return command, where, level
    if not isinstance(raw_level, (int, str)):
        raise ValueError("'level' must be 1-5 or a level id")
    return command, where, Level.parse(raw_level)
