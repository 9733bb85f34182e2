"""Read ``gem install``: gems from a source, or local ``.gem`` files.

``gem install rails`` takes the newest release: unpinned. ``-v 7.1.3`` (``--version``), or
``rails:7.1.3``, is exact: RubyGems reads a bare version as ``= 7.1.3``. ``-v '~> 7.1'`` is
a range. A ``.gem`` file or a path is local.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options
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
    from agentgov.evaluators.shell.model import SimpleCommand

_GEM_INSTALL = OptionSpec(
    short_value="vinsPg",
    long_value=frozenset(
        {
            *("version", "install-dir", "bindir", "source", "trust-policy", "platform"),
            *("file", "build-root", "document", "target-rbconfig"),
        }
    ),
)
_BARE = re.compile(r"=?\s*\d+(?:\.[0-9A-Za-z]+)*")


def _version_pin(versions: tuple[str, ...]) -> Strictness:
    pins = [ANY]
    for version in versions:
        for part in version.split(","):
            text = part.strip()
            if _BARE.fullmatch(text) or text.startswith("$"):
                pins.append(EXACT)
            elif text and not text.startswith("!="):
                pins.append(CONSTRAINED)
    return max(pins, key=lambda pin: pin.rank)


def gem_install(command: SimpleCommand) -> Install | None:
    """What ``gem install`` fetches, or None for other gem commands."""
    values = command.values()
    if command.name != "gem" or values[:1] not in (("install",), ("i",)):
        return None
    parsed = parse_options(command.args[1:], _GEM_INSTALL)
    versions = parsed.values("-v", "--version")
    requested: list[Requested] = []
    for spec in spec_texts(parsed.operands):
        if spec.endswith(".gem") or "/" in spec:
            requested.append(Requested(spec, spec, LOCKED, spec, spec))
            continue
        name, _, own_version = spec.partition(":")
        pin = _version_pin((own_version,) if own_version else versions)
        exact = f"{name} -v <version>"
        requested.append(Requested(name, spec, pin, exact, exact))
    if not requested:
        return None
    return Install(
        "gem",
        "gem install",
        tuple(requested),
        locked_how=(
            "add it to the Gemfile at an exact version and install from Gemfile.lock with "
            "bundle install --frozen"
        ),
        lookup="take <version> from Gemfile.lock, or list them with gem list --remote --all NAME",
    )
