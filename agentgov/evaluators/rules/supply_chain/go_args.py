"""Read ``go install``, ``go get`` and ``go run`` of remote packages.

``go install golang.org/x/tools/gopls@latest`` (or a branch, or no version for ``go get``)
is unpinned; ``@v0.16.1``, a pseudo-version or a commit is exact; ``@v0.16`` a range.
``go install ./...``, ``go run .``, ``go run main.go`` and in-module packages are local.
Without a version, ``go install`` and ``go run`` use the version ``go.mod`` requires (and
``go.sum`` verifies): locked when ``go.mod`` lists the module, unpinned when it does not.
``go get -u`` upgrades every dependency: unpinned.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.supply_chain.pin_forms import (
    ANY,
    CONSTRAINED,
    EXACT,
    LOCKED,
    Install,
    Requested,
    spec_texts,
)
from agentgov.policy.model import Strictness

if TYPE_CHECKING:
    from agentgov.evaluators.rules.base import ShellContext
    from agentgov.evaluators.shell.model import SimpleCommand, Word

_VALUE_FLAGS = frozenset(
    {
        *("C", "o", "p", "tags", "ldflags", "gcflags", "asmflags", "mod", "modfile"),
        *("buildmode", "compiler", "gccgoflags", "installsuffix", "pkgdir", "toolexec"),
        *("overlay", "pgo", "exec", "covermode", "coverpkg", "modcacherw_", "race_"),
    }
)
_SEMVER = re.compile(r"v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
_PARTIAL = re.compile(r"v\d+(?:\.\d+)?|[<>]=?v?\d.*")
_HASH = re.compile(r"[0-9a-f]{7,40}")
_REQUIRE = re.compile(
    r"^\s*(?:require\s+|tool\s+)?([A-Za-z0-9._~/-]+\.[A-Za-z0-9._~/-]+)(?:\s+v\S+)?\s*(?://.*)?$"
)
LOOKUP = "take <version> from go.mod, or list them with go list -m -versions MODULE"


def _split(words: tuple[Word, ...]) -> tuple[list[str], list[str]]:
    """Flags (as written) and operands; go flags are single-dash words (``-tags x``)."""
    flags: list[str] = []
    operands: list[str] = []
    index = 0
    while index < len(words):
        text = words[index].value
        index += 1
        if text == "--":
            operands.extend(word.value for word in words[index:])
            break
        if text.startswith("-") and len(text) > 1:
            flags.append(text)
            name = text.lstrip("-")
            if "=" not in name and name in _VALUE_FLAGS:
                index += 1
            continue
        operands.extend(spec_texts(words[index - 1 : index], placeholder="v0.0.0"))
    return flags, operands


def _is_local(package: str) -> bool:
    first = package.split("/", 1)[0]
    return (
        package.startswith((".", "/"))
        or package.endswith(".go")
        or "." not in first
        or package in ("all", "std", "cmd")
    )


def version_pin(version: str) -> Strictness:
    if _SEMVER.fullmatch(version) or _HASH.fullmatch(version):
        return EXACT
    if _PARTIAL.fullmatch(version):
        return CONSTRAINED
    return ANY  # latest, upgrade, patch, a branch


def _go_mod_modules(command: SimpleCommand, ctx: ShellContext) -> set[str]:
    """Modules the governing ``go.mod`` names (its own module, requires and tools)."""
    cwd = command.cwd or ctx.cwd
    root = ctx.project_root
    for _ in range(12):
        text = ctx.read_text(posixpath.join(cwd, "go.mod"))
        if text is not None:
            modules = set()
            for line in text.splitlines():
                stripped = line.strip()
                if stripped.startswith("module "):
                    modules.add(stripped.split()[1])
                elif match := _REQUIRE.match(stripped):
                    modules.add(match.group(1))
            return modules
        if not root or cwd == root or not cwd.startswith(root.rstrip("/") + "/"):
            break
        cwd = posixpath.dirname(cwd)
    return set()


def go_install(command: SimpleCommand, ctx: ShellContext) -> Install | None:
    """What ``go install|get|run`` fetches, or None when everything is local."""
    values = command.values()
    if command.name != "go" or not values or values[0] not in ("install", "get", "run"):
        return None
    verb = values[0]
    flags, operands = _split(command.args[1:])
    if verb == "run":
        operands = operands[:1] if operands and not operands[0].endswith(".go") else []
    requested: list[Requested] = []
    upgrade = next((flag for flag in flags if flag.lstrip("-").split("=")[0] == "u"), None)
    if verb == "get" and upgrade is not None:
        pin = CONSTRAINED if upgrade.endswith("=patch") else ANY
        form = "MODULE@<version>"
        requested.append(
            Requested("every dependency", f"{upgrade} (upgrades every dependency)", pin, form, form)
        )
    modules: set[str] | None = None
    for package in operands:
        path, _, version = package.partition("@")
        if version == "none" or (not version and _is_local(path)):
            continue
        if version:
            pin = version_pin(version)
        elif verb == "get":
            pin = ANY
        else:
            if modules is None:
                modules = _go_mod_modules(command, ctx)
            listed = any(path == m or path.startswith(m + "/") for m in modules)
            pin = LOCKED if listed else ANY
        form = f"{path}@<version>"
        requested.append(Requested(path, package, pin, form, form))
    if not requested:
        return None
    return Install(
        "go",
        f"go {verb}",
        tuple(requested),
        locked_how=(
            "require it in go.mod at an exact version (go.sum locks it) and run go "
            f"{verb} without a version from the module"
        ),
        lookup=LOOKUP,
    )
