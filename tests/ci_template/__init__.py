"""The CI templates (templates/github/, templates/gitlab/), read as the platforms read them.

Shared by the tests of this package: the parsed workflows, their jobs and steps, and the
shell each step runs, so a test can look at the structure or run a step for real.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
GITHUB_TEMPLATE = ROOT / "templates" / "github" / "agentgov.yml"
GITLAB_TEMPLATE = ROOT / "templates" / "gitlab" / "agentgov.gitlab-ci.yml"
REQUIREMENTS_TEMPLATE = ROOT / "templates" / "github" / "requirements.txt"
BUILD_TEMPLATE = ROOT / "templates" / "github" / "build-requirements.txt"
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
DEV_LOCK = ROOT / "requirements" / "dev.txt"

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load(path: Path) -> Any:
    """The YAML document at ``path`` as plain data (anchors resolved, as the platforms do)."""
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def github() -> dict[str, Any]:
    data: dict[str, Any] = load(GITHUB_TEMPLATE)
    return data


def gitlab() -> dict[str, Any]:
    data: dict[str, Any] = load(GITLAB_TEMPLATE)
    return data


def step(job: str, name: str) -> dict[str, Any]:
    """The GitHub job's step called ``name``."""
    (found,) = [s for s in github()["jobs"][job]["steps"] if s.get("name") == name]
    return dict(found)


def flatten(lines: list[Any]) -> list[str]:
    """A GitLab script: nested lists (from anchors) flattened, as the runner does."""
    flat: list[str] = []
    for line in lines:
        flat.extend(flatten(line) if isinstance(line, list) else [str(line)])
    return flat


def requirement_entries(text: str) -> list[str]:
    """Each requirement of a pip requirements file, its continuation lines joined, comments
    and blank lines left out."""
    entries: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        current += " " + line.strip().removesuffix("\\").strip()
        if not line.endswith("\\"):
            entries.append(current.strip())
            current = ""
    if current.strip():
        entries.append(current.strip())
    return entries


def requirement_blocks(text: str) -> dict[str, list[str]]:
    """Each requirement's lines (the requirement and its hashes, comments left out), keyed
    by its name and markers as they are written (``tomli==2.5.0 ; python_full_version <
    '3.11'``)."""
    blocks: dict[str, list[str]] = {}
    key = ""
    for line in text.splitlines():
        if re.match(r"[A-Za-z0-9]", line):
            key = line.removesuffix("\\").strip()
            blocks[key] = [line]
        elif key and line.startswith(" ") and not line.lstrip().startswith("#"):
            blocks[key].append(line)
        elif not line.startswith(" "):
            key = ""
    return blocks


def name_of(block_key: str) -> str:
    return re.split(r"[=<>!~ ;]", block_key, maxsplit=1)[0].lower()
