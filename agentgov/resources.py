"""Files shipped with agentgov: JSON Schemas, templates and git hook shims.

In a built wheel they live in ``agentgov/_resources/`` (hatchling force-includes the
top-level ``schemas/``, ``templates/`` and ``hooks/`` there) and are read through
``importlib.resources``. In a source checkout or an editable install the same folders sit
at the repository root, one level above the package.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Traversable

_KINDS = ("schemas", "templates", "hooks")


def resource(kind: str, *parts: str) -> Traversable:
    """The shipped file ``kind/parts...``; ``kind`` is schemas, templates or hooks."""
    # Imported here: importlib.resources costs milliseconds, and the hook's common path
    # reads the policy from its compiled cache without any shipped file.
    from importlib.resources import files

    if kind not in _KINDS:
        raise ValueError(f"unknown resource kind {kind!r}")
    packaged = files("agentgov").joinpath("_resources").joinpath(kind)
    base: Traversable = packaged if packaged.is_dir() else _checkout_root() / kind
    for part in parts:
        base = base.joinpath(part)
    return base


def _checkout_root() -> Path:
    return Path(__file__).resolve().parent.parent
