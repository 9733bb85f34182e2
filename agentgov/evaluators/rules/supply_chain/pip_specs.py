"""Judge one Python requirement as pip reads it: a name with specifiers, a URL, or a path.

``requests`` is unpinned, ``requests>=2`` constrained, ``requests==2.32.3`` and
``requests===2.32.3`` exact, any requirement with ``--hash`` locked. ``.``, ``./dist/x.whl``,
``../pkg``, ``/abs/path`` and ``file:`` URLs are local. ``git+https://...@<commit>`` is
exact, a VCS URL at a branch or tag is unpinned; an archive URL with ``#sha256=`` is locked.

``packaging`` is imported on first use: the Claude Code hook must not pay for it on the
commands that install nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.supply_chain.pin_forms import (
    ANY,
    CONSTRAINED,
    EXACT,
    LOCKED,
    Requested,
    url_pin,
)

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from agentgov.policy.model import Strictness

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://|^file:", re.IGNORECASE)
_ARCHIVE = re.compile(r"\.(?:whl|tar\.gz|tgz|zip|tar\.bz2|tar\.xz|egg)$", re.IGNORECASE)
_VCS = re.compile(r"^((?:git|hg|svn|bzr)\+)([a-z][a-z0-9+.-]*://.*)$", re.IGNORECASE)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def is_local(spec: str) -> bool:
    """True for a path pip reads from disk: ``.``, ``./x``, ``../x``, ``/x``, ``~/x``,
    ``dist/x.whl``, ``x.tar.gz`` or a ``file:`` URL."""
    if spec.startswith("file:"):
        return True
    if _URL.match(spec):
        return False
    return (
        spec.startswith((".", "/", "~"))
        or "/" in spec.split(";", 1)[0].split("@", 1)[0]
        or bool(_ARCHIVE.search(spec.split(";", 1)[0].strip()))
    )


def specifier_pin(specifier: SpecifierSet) -> Strictness:
    """``==X`` (no wildcard) and ``===X`` are exact; any other bound but ``!=`` constrains."""
    pins = [ANY]
    for one in specifier:
        if one.operator == "===" or (one.operator == "==" and not one.version.endswith("*")):
            pins.append(EXACT)
        elif one.operator != "!=":
            pins.append(CONSTRAINED)
    return max(pins, key=lambda pin: pin.rank)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_PLAIN_CLAUSE = re.compile(r"(===|==|!=|~=|>=|<=|>|<)([0-9]+(?:\.[0-9]+)*)(\.\*)?")


def plain_requirement_pin(text: str) -> tuple[str, Strictness] | None:
    """The name and pin of a requirement in its everyday spellings (``requests``,
    ``requests==2.32.3``, ``django>=4.2,<5``), read without ``packaging``; None for anything
    else (extras, markers, spaces, pre-releases...), which ``packaging`` reads. Importing
    ``packaging`` costs more than the whole hook has to spare, and most installs an agent
    types are spelled this way. ``tests/rules/test_pip_specs.py`` checks both readings agree."""
    name = _PLAIN_NAME.match(text)
    if name is None:
        return None
    rest = text[name.end() :]
    pins = [ANY]
    for clause in rest.split(",") if rest else ():
        found = _PLAIN_CLAUSE.fullmatch(clause)
        if found is None:
            return None
        operator, version, wildcard = found.groups()
        if (wildcard and operator not in ("==", "!=")) or (operator == "~=" and "." not in version):
            return None  # packaging rejects these; let it say so
        if operator == "===" or (operator == "==" and not wildcard):
            pins.append(EXACT)
        elif operator != "!=":
            pins.append(CONSTRAINED)
    return name.group(), max(pins, key=lambda pin: pin.rank)


def _forms(name: str) -> tuple[str, str]:
    return f"{name}==<version>", f"{name}==<version> --hash=sha256:<digest>"


@lru_cache(maxsize=1024)
def judge_pip_spec(spec: str, *, hashed: bool = False, editable: bool = False) -> Requested:
    """The pin of one requirement as written on a command line or a requirements line.

    ``hashed`` is true when the line carries ``--hash``; ``editable`` for ``-e`` values
    (``-e .`` is local, ``-e git+https://...@<commit>#egg=x`` exact).
    """
    text = spec.strip()
    if is_local(text):
        return Requested(text, spec, LOCKED, text, text)
    if _URL.match(text) or editable:
        name = _egg_name(text) or text
        pin = LOCKED if hashed else url_pin(text)
        return Requested(name, spec, pin, *pinned_url_forms(text))
    plain = plain_requirement_pin(text)
    if plain is not None:
        name, pin = plain
        return Requested(name, spec, LOCKED if hashed else pin, *_forms(name))
    # Deferred: see the module docstring.
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        # pip will refuse it too; judge it by its leading name, unpinned (fail closed).
        match = _NAME.match(text)
        name = match.group(1) if match else text
        return Requested(name, spec, LOCKED if hashed else ANY, *_forms(name))
    name = requirement.name
    pin = url_pin(requirement.url) if requirement.url else specifier_pin(requirement.specifier)
    return Requested(name, spec, LOCKED if hashed else pin, *_forms(name))


def pinned_url_forms(url: str) -> tuple[str, str]:
    """The exact and locked spellings of a URL requirement: a VCS URL at a commit, an
    archive URL with its hash."""
    base, _, fragment = url.partition("#")
    suffix = f"#{fragment}" if fragment else ""
    match = _VCS.match(base)
    if match is None:
        return f"{base}#sha256=<digest>", f"{base}#sha256=<digest>"
    prefix, rest = match.groups()
    scheme, _, after = rest.partition("://")
    netloc, slash, path = after.partition("/")
    path = path.rsplit("@", 1)[0] if "@" in path else path
    pinned = f"{prefix}{scheme}://{netloc}{slash}{path}@<commit-sha>{suffix}"
    return pinned, pinned


def _egg_name(url: str) -> str | None:
    match = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", url)
    if match:
        return match.group(1)
    tail = url.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    tail = tail.split("@", 1)[0]
    if _ARCHIVE.search(tail):
        return tail.split("-", 1)[0] or None  # pkg-1.0-py3-none-any.whl
    return tail.removesuffix(".git") or None
