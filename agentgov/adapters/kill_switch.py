"""Where the kill switch is engaged from, read with a stat per source (docs/evidence.md).

The kill switch drops every task class to level 1 (suggest: read only). It is engaged when
any one of these says so; none can release another:

- ``policy``: ``kill_switch.engaged: true`` in the policy in force (repo-wide, once merged);
- ``clone``: the file ``.git/agentgov/kill`` (``agentgov kill`` writes it: at once, on this
  clone);
- ``environment``: ``AGENTGOV_KILL`` (or its older name ``AGENTGOV_KILL_SWITCH``) set to
  ``1``/``true``/``yes``/``on`` in the environment Claude Code (or git) was started from;
- ``user``: the file ``$XDG_CONFIG_HOME/agentgov/kill`` and ``~/.config/agentgov/kill``
  (both are checked, and the home directory is read from the account database as well as
  from ``HOME``, so changing a variable can only add a place to look, never remove one);
- ``system``: the file ``/etc/agentgov/kill`` (which MDM can place), and also the file
  ``AGENTGOV_SYSTEM_KILL_FILE`` names (for tests and unusual layouts: it adds a place to
  look; ``/etc/agentgov/kill`` is always checked).

A kill file engages by existing; its first line, if any, is the reason. The hook checks
every source on every call: absent files cost one ``stat`` each.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from agentgov.policy.model import Policy

LOCAL_KILL_FILE = "kill"
"""Under ``.git/agentgov/``: the clone's kill switch."""
SYSTEM_KILL_FILE = "/etc/agentgov/kill"
USER_KILL_RELATIVE = ".config/agentgov/kill"
_ENGAGED = frozenset({"1", "true", "yes", "on"})
_REASON_BYTES = 500


@dataclass(frozen=True)
class Kill:
    """One source that engages the kill switch: which, where, why, and how to release it."""

    source: str
    where: str
    reason: str
    release: str

    @property
    def because(self) -> str:
        return f"kill switch engaged by {self.where} ({self.reason or 'no reason given'})"


def local_kill_path(state_dir: Path) -> Path:
    return state_dir / LOCAL_KILL_FILE


def user_kill_paths(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Every user kill file to check: ``$XDG_CONFIG_HOME``'s, then the default under
    ``$HOME`` and under the account's home directory (deduplicated)."""
    paths: list[str] = []
    xdg = environ.get("XDG_CONFIG_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        paths.append(os.path.join(xdg, "agentgov", "kill"))
    home = environ.get("HOME", "").strip()
    if home:
        paths.append(os.path.join(home, USER_KILL_RELATIVE))
    account = _account_home()
    if account:
        paths.append(os.path.join(account, USER_KILL_RELATIVE))
    return tuple(dict.fromkeys(paths))


def user_kill_path(environ: Mapping[str, str]) -> str:
    """Where ``agentgov kill --user`` would write, and the docs name: the first user path."""
    found = user_kill_paths(environ)
    return found[0] if found else os.path.join(str(Path.home()), USER_KILL_RELATIVE)


def system_kill_paths(environ: Mapping[str, str]) -> tuple[str, ...]:
    extra = environ.get("AGENTGOV_SYSTEM_KILL_FILE", "").strip()
    paths = [SYSTEM_KILL_FILE]
    if extra:
        paths.append(extra)
    return tuple(dict.fromkeys(paths))


@lru_cache(maxsize=1)
def _account_home() -> str | None:
    try:
        import pwd  # a built-in module: no cost on the hot path

        return pwd.getpwuid(os.getuid()).pw_dir or None
    except (ImportError, KeyError, OSError):
        return None


def read_kill_file(path: str | Path) -> str | None:
    """The reason in a kill file (first line, may be empty), or None when there is none.

    A kill file that exists but cannot be read still engages: its reason says so."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_REASON_BYTES)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None
    except OSError as err:
        return f"{path} exists but cannot be read ({err.strerror})"
    text = head.decode("utf-8", errors="replace").strip()
    return text.splitlines()[0].strip() if text else ""


def kills(
    policy: Policy | None,
    state_dir: Path | None,
    environ: Mapping[str, str],
) -> tuple[Kill, ...]:
    """Every source that engages the kill switch now, in a fixed order."""
    found: list[Kill] = []
    if policy is not None and policy.kill_switch.engaged:
        found.append(
            Kill(
                "policy",
                "the policy in force (kill_switch.engaged: true)",
                policy.kill_switch.reason,
                "a person runs `agentgov kill --release` and merges the policy change "
                "in a reviewed pull request",
            )
        )
    if state_dir is not None:
        path = local_kill_path(state_dir)
        reason = read_kill_file(path)
        if reason is not None:
            found.append(
                Kill(
                    "clone",
                    "`agentgov kill` on this clone",
                    reason,
                    "a person runs `agentgov kill --release` in their own terminal",
                )
            )
    for name in ("AGENTGOV_KILL", "AGENTGOV_KILL_SWITCH"):  # the second: an older name
        if environ.get(name, "").strip().lower() in _ENGAGED:
            found.append(
                Kill(
                    "environment",
                    f"{name} in the environment",
                    "",
                    f"a person unsets {name} where Claude Code (or git) is started",
                )
            )
            break
    for source, paths in (
        ("user", user_kill_paths(environ)),
        ("system", system_kill_paths(environ)),
    ):
        for where in paths:
            reason = read_kill_file(where)
            if reason is not None:
                found.append(Kill(source, where, reason, f"a person removes {where}"))
    return tuple(found)
