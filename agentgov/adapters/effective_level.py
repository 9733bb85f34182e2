"""The level a task class acts at now, and why: the one place that says it.

The hook, ``agentgov decide``, the git hooks (all through ``local_context.place``) and
``agentgov status`` ask this, so they all agree (docs/evidence.md). From the configured
level, in this order:

1. an open incident whose rollback trigger matches it resets its class (``reset_to``,
   ``demote_to`` or ``demote_by``; ``incident_state.trigger_matches`` says how a trigger
   matches): from this clone's incidents file, or from the incidents the caller read
   from the trail (CI, ``status``);
2. level 4 ``execute-sandboxed`` without a sandbox acts as level 3 (``sandbox.py``);
3. the kill switch, from any source (``kill_switch.py``), drops every class to level 1.

Every step that applies is named in ``causes``, even one that changes nothing more (a kill
switch over a class already at level 1), so a person sees everything holding a class down.
Reading the clone's state costs a stat per file; the sandbox is probed only for level 4.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from agentgov.adapters.incident_state import OpenIncident, incident_reset, read_open
from agentgov.adapters.kill_switch import Kill, kills
from agentgov.adapters.sandbox import Sandbox, detect_sandbox
from agentgov.git_layout import RepoLayout
from agentgov.policy.model import Level, Policy


@dataclass(frozen=True)
class Cause:
    """One reason the level is lower than configured.

    - ``kind``: ``kill`` (with ``source``: policy, clone, environment, user or system),
      ``sandbox`` or ``incident`` (``source`` is the incident's id).
    - ``level``: the level this cause alone allows.
    - ``release``: what a person does to lift it.
    """

    kind: str
    source: str
    level: Level
    because: str
    release: str


@dataclass(frozen=True)
class EffectiveLevel:
    task_class: str
    configured: Level
    level: Level
    causes: tuple[Cause, ...] = ()
    sandbox: Sandbox | None = None
    """The sandbox probe, when the class reached level 4 (found or not, and why)."""

    @property
    def lowered(self) -> bool:
        return self.level < self.configured

    @property
    def killed(self) -> bool:
        return any(cause.kind == "kill" for cause in self.causes)

    @property
    def because(self) -> str:
        """Every cause, in order, in one line; empty when nothing holds the class down."""
        return "; ".join(cause.because for cause in self.causes)

    @property
    def release(self) -> str:
        """How to lift every cause, in one line."""
        return "; ".join(dict.fromkeys(cause.release for cause in self.causes))


def effective_level(
    policy: Policy,
    task_class: str,
    configured: Level,
    layout: RepoLayout | None,
    environ: Mapping[str, str],
    *,
    incidents: Iterable[OpenIncident] | None = None,
    home: str | None = None,
) -> EffectiveLevel:
    """The level ``task_class`` (configured at ``configured``) acts at in ``layout``'s
    clone under ``environ``. ``incidents`` are the open incidents to apply; None reads
    this clone's incidents file."""
    state_dir = layout.state_dir if layout is not None else None
    causes: list[Cause] = []
    level = configured
    open_incidents = (
        tuple(incidents) if incidents is not None else read_open(state_dir) if state_dir else ()
    )
    reset = incident_reset(policy, task_class, level, open_incidents) if open_incidents else None
    if reset is not None:
        target, incident, trigger = reset
        level = target
        causes.append(
            Cause(
                "incident",
                incident.id,
                target,
                f"open incident {incident.id} ({incident.severity}: {incident.note or 'no note'})"
                f" resets {task_class} to level {target.value} {target.id} "
                f"(rollback trigger incident: {trigger.incident})",
                f"a person runs `agentgov incident resolve {incident.id}`",
            )
        )
    sandbox: Sandbox | None = None
    if level is Level.EXECUTE_SANDBOXED:
        sandbox = detect_sandbox(layout.root if layout is not None else None, environ, home=home)
        if not sandbox.found:
            level = Level.EXECUTE_GATED
            causes.append(
                Cause(
                    "sandbox",
                    "none",
                    Level.EXECUTE_GATED,
                    "level 4 execute-sandboxed acts as level 3 without a sandbox "
                    f"({sandbox.because})",
                    "run the agent in a sandbox: Claude Code's sandbox (sandbox.enabled), a "
                    "container, a devcontainer or Codespace, or set AGENTGOV_SANDBOX=1 where "
                    "Claude Code starts",
                )
            )
    for kill in kills(policy, state_dir, environ):
        level = Level.SUGGEST
        causes.append(_kill_cause(kill))
    return EffectiveLevel(task_class, configured, level, tuple(causes), sandbox)


def _kill_cause(kill: Kill) -> Cause:
    return Cause("kill", kill.source, Level.SUGGEST, kill.because, kill.release)
