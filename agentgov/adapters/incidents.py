"""``agentgov incident record|list|resolve``: the incidents people report (docs/evidence.md).

An incident record is ``{"kind": "incident", "source": "cli", "task_class": X,
"commit"?: SHA, "detail": {"id": ID, "event": "open"|"resolve", "severity": S,
"note": TEXT, "reporter": <git user.email>}}`` in the session ``cli-<user>``. It goes
through the journal and is moved at once into the note of the commit it names (``commit``,
given with ``--commit``), else of HEAD (then the record carries no ``commit``: HEAD is
only where it is kept, not the commit it blames). A resolve is kept on the same commit as
its open record.

Recording also writes this clone's incidents file (``incident_state.py``), so the reset
the policy's incident trigger says applies at once here; the trail is what CI and
``agentgov status`` read. Anyone may record an incident, an agent too: it only restricts.
Resolving one lifts a reset, so only a person may: the command refuses inside an agent
session, and ``guard.tamper`` refuses its command line.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from agentgov.adapters.human_records import Written, commit_named, git_email, write_attached
from agentgov.adapters.incident_state import OpenIncident, read_open, write_open
from agentgov.adapters.policy_acceptance import cli_session, refuse_agents
from agentgov.audit.journal import utc_now
from agentgov.errors import UsageError
from agentgov.git_layout import RepoLayout
from agentgov.policy.model import Policy

_SEVERITY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_ID = re.compile(r"^[0-9a-f]{8}$")


@dataclass(frozen=True)
class Incident:
    """One incident as the trail (and this clone) knows it."""

    id: str
    task_class: str
    severity: str
    note: str
    reporter: str
    commit: str | None
    """The commit the incident names (``--commit``), None when it names none."""
    kept_on: str | None
    """The commit whose note holds the open record (None while still in the journal)."""
    opened: str
    resolved: str | None = None
    resolved_by: str | None = None

    @property
    def open(self) -> bool:
        return self.resolved is None


def record_incident(
    layout: RepoLayout,
    policy: Policy,
    *,
    task_class: str,
    severity: str,
    note: str,
    commit: str | None,
    environ: Mapping[str, str] = os.environ,
) -> tuple[Incident, Written]:
    """Record an open incident against ``task_class`` (never refused: it only restricts)."""
    names = [one.name for one in policy.task_classes]
    if task_class not in names:
        raise UsageError(
            f"--task-class {task_class}: not a class of the policy in force ({', '.join(names)})"
        )
    if not _SEVERITY.match(severity):
        raise UsageError(
            f"--severity {severity!r}: one word (letters, digits, - _ .), e.g. production; "
            "the policy's rollback triggers match it (incident: <severity>, or * for any)"
        )
    text = " ".join(note.split())
    if not text:
        raise UsageError("--note: say what happened (one line)")
    named = commit_named(layout, commit) if commit is not None else None
    kept_on = named or commit_named(layout, "HEAD")
    reporter = git_email(layout.root, "an incident names its reporter")
    ident = secrets.token_hex(4)
    detail = {
        "id": ident,
        "event": "open",
        "severity": severity,
        "note": text,
        "reporter": reporter,
    }
    fields: dict[str, Any] = {"kind": "incident", "source": "cli", "task_class": task_class}
    if named is not None:
        fields["commit"] = named
    fields["detail"] = detail
    written = write_attached(layout, policy.audit.notes_ref, cli_session(environ), fields, kept_on)
    opened = str(written.record.get("ts", utc_now()))
    incident = Incident(ident, task_class, severity, text, reporter, named, kept_on, opened)
    current = [one for one in read_open(layout.state_dir) if one.id != ident]
    current.append(OpenIncident(ident, task_class, severity, text, named, opened))
    write_open(layout.state_dir, current)
    return incident, written


def resolve_incident(
    layout: RepoLayout,
    policy: Policy,
    ident: str,
    *,
    note: str = "",
    environ: Mapping[str, str] = os.environ,
) -> tuple[Incident, Written]:
    """Resolve an open incident: a person only (it lifts the reset it caused)."""
    refuse_agents("agentgov incident resolve lifts the reset an incident caused", environ)
    if not _ID.match(ident):
        raise UsageError(f"{ident!r} is not an incident id (8 hex digits: agentgov incident list)")
    known = {one.id: one for one in list_incidents(layout, policy)}
    incident = known.get(ident)
    if incident is None:
        raise UsageError(f"no incident {ident} in the audit trail (agentgov incident list)")
    if not incident.open:
        raise UsageError(f"incident {ident} was resolved already ({incident.resolved})")
    reporter = git_email(layout.root, "an incident names its reporter")
    detail = {
        "id": ident,
        "event": "resolve",
        "severity": incident.severity,
        "note": " ".join(note.split()) or incident.note,
        "reporter": reporter,
    }
    fields: dict[str, Any] = {
        "kind": "incident",
        "source": "cli",
        "task_class": incident.task_class,
    }
    if incident.commit is not None:
        fields["commit"] = incident.commit
    fields["detail"] = detail
    target = incident.kept_on or incident.commit or commit_named(layout, "HEAD")
    written = write_attached(layout, policy.audit.notes_ref, cli_session(environ), fields, target)
    write_open(layout.state_dir, [one for one in read_open(layout.state_dir) if one.id != ident])
    resolved = replace(
        incident, resolved=str(written.record.get("ts", utc_now())), resolved_by=reporter
    )
    return resolved, written


def list_incidents(layout: RepoLayout, policy: Policy) -> tuple[Incident, ...]:
    """Every incident in the trail (notes and the pending journal), oldest first."""
    from agentgov.audit.records import iter_records

    records = iter_records(layout.root, policy.audit.notes_ref, pending=True)
    return incidents_from(
        (record.record, record.commit) for record in records if record.record["kind"] == "incident"
    )


def incidents_from(records: Iterable[tuple[Mapping[str, Any], str | None]]) -> tuple[Incident, ...]:
    """Fold incident records (with the commit holding each) into incidents, by id."""
    found: dict[str, Incident] = {}
    resolutions: dict[str, tuple[str, str]] = {}
    for record, kept_on in sorted(records, key=lambda pair: str(pair[0].get("ts", ""))):
        detail = record.get("detail")
        if not isinstance(detail, Mapping) or not isinstance(detail.get("id"), str):
            continue
        ident = detail["id"]
        if detail.get("event") == "open" and ident not in found:
            commit = record.get("commit")
            found[ident] = Incident(
                ident,
                str(record.get("task_class", "")),
                str(detail.get("severity", "")),
                str(detail.get("note", "")),
                str(detail.get("reporter", "")),
                commit if isinstance(commit, str) else None,
                kept_on,
                str(record.get("ts", "")),
            )
        elif detail.get("event") == "resolve":
            resolutions.setdefault(
                ident, (str(record.get("ts", "")), str(detail.get("reporter", "")))
            )
    return tuple(
        replace(one, resolved=resolutions[ident][0], resolved_by=resolutions[ident][1])
        if ident in resolutions
        else one
        for ident, one in found.items()
    )


def open_from_trail(incidents: Iterable[Incident]) -> tuple[OpenIncident, ...]:
    """The open incidents, as ``effective_level`` takes them (CI, ``status``)."""
    return tuple(
        OpenIncident(one.id, one.task_class, one.severity, one.note, one.commit, one.opened)
        for one in incidents
        if one.open
    )


def sync_open(layout: RepoLayout, incidents: Iterable[Incident]) -> None:
    """Bring this clone's incidents file up to the trail: add what the trail has open
    (recorded on another clone and fetched), drop what the trail has resolved. An open
    incident the trail does not know stays: a sync never lifts a reset by missing data."""
    known = tuple(incidents)
    resolved = {one.id for one in known if not one.open}
    current = {one.id: one for one in read_open(layout.state_dir) if one.id not in resolved}
    for one in open_from_trail(known):
        current.setdefault(one.id, one)
    write_open(layout.state_dir, current.values())
