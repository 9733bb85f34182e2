"""The records people and CI write about a commit: ``review`` and ``ci`` (docs/evidence.md).

Each goes through the same path as the hook's records: appended to the journal in its own
hash-chained session, then moved at once into the note of the commit it is about
(``audit.flush.flush_session``, the kill-safe flush, for that session only). If the flush
fails the record stays in the journal and its ``commit`` field still names the commit, so
nothing is lost and a later ``agentgov audit flush`` moves it.

- ``review``: ``{"kind": "review", "source": "cli", "commit": SHA, "verdict":
  "agree"|"disagree", "detail": {"reviewer": <git user.email>, "note": TEXT}}`` in session
  ``cli-<user>`` (the session of a person's own commands, as ``policy accept`` writes).
- ``ci``: ``{"kind": "ci", "source": "ci", "commit": SHA, "verdict": "pass"|"fail",
  "detail": {"url": URL, "run": RUN, "run_from": ...}}``. The run comes from
  ``GITHUB_RUN_ID``/``GITHUB_RUN_ATTEMPT`` (GitHub Actions), else
  ``CI_PIPELINE_ID``/``CI_JOB_ID`` (GitLab CI), else is generated; ``run_from`` says which.
  The session is ``ci-<run>-<nonce>``: one chain per invocation, because the parallel jobs
  of one run (a matrix) share the run id, and two machines writing one session's seqs
  would fork its chain.

Both refuse to run inside an agent session: an agent reviewing or passing its own work
would write the evidence it is judged by.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.adapters.policy_acceptance import cli_session, refuse_agents
from agentgov.audit.flush import flush_session
from agentgov.audit.git_process import resolve_commit, run
from agentgov.audit.journal import Journal
from agentgov.errors import AgentgovError, UsageError
from agentgov.git_layout import RepoLayout


@dataclass(frozen=True)
class Written:
    """A record written: its fields, its session, the commit whose note now holds it
    (None when it could not be moved there yet, with ``problem`` saying why)."""

    record: Mapping[str, Any]
    session: str
    commit: str
    attached: bool
    problem: str = ""


@dataclass(frozen=True)
class CiRun:
    run: str
    source: str
    url: str | None


def write_review(
    layout: RepoLayout,
    ref: str,
    commit: str,
    verdict: str,
    note: str,
    environ: Mapping[str, str],
) -> Written:
    """A person's review of ``commit``: ``agree`` or ``disagree``."""
    _refuse_agents("agentgov audit review", environ)
    sha = commit_named(layout, commit)
    reviewer = git_email(layout.root)
    detail: dict[str, Any] = {"reviewer": reviewer, "note": note}
    fields = {
        "kind": "review",
        "source": "cli",
        "commit": sha,
        "verdict": verdict,
        "detail": detail,
    }
    return write_attached(layout, ref, cli_session(environ), fields, sha)


def ci_run(environ: Mapping[str, str]) -> CiRun:
    """Which CI run this is, and where that came from."""
    github = environ.get("GITHUB_RUN_ID", "").strip()
    if github:
        attempt = environ.get("GITHUB_RUN_ATTEMPT", "").strip() or "1"
        server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
        repository = environ.get("GITHUB_REPOSITORY", "").strip()
        url = (
            f"{server}/{repository}/actions/runs/{github}/attempts/{attempt}"
            if server and repository
            else None
        )
        return CiRun(_safe(f"github-{github}-{attempt}"), "GITHUB_RUN_ID/GITHUB_RUN_ATTEMPT", url)
    pipeline = environ.get("CI_PIPELINE_ID", "").strip()
    job = environ.get("CI_JOB_ID", "").strip()
    if pipeline or job:
        url = environ.get("CI_JOB_URL", "").strip() or None
        return CiRun(
            _safe(f"gitlab-{pipeline or 'none'}-{job or 'none'}"), "CI_PIPELINE_ID/CI_JOB_ID", url
        )
    return CiRun(f"local-{secrets.token_hex(6)}", "generated", None)


def write_ci(
    layout: RepoLayout,
    ref: str,
    commit: str,
    status: str,
    url: str | None,
    environ: Mapping[str, str],
) -> tuple[Written, CiRun]:
    """A CI result for ``commit``: ``pass`` or ``fail``."""
    _refuse_agents("agentgov ci record", environ)
    sha = commit_named(layout, commit)
    found = ci_run(environ)
    detail: dict[str, Any] = {"run": found.run, "run_from": found.source}
    link = url or found.url
    if link:
        detail["url"] = link
    fields = {"kind": "ci", "source": "ci", "commit": sha, "verdict": status, "detail": detail}
    session = f"ci-{found.run}-{secrets.token_hex(4)}"
    return write_attached(layout, ref, session, fields, sha), found


def write_attached(
    layout: RepoLayout, ref: str, session: str, fields: dict[str, Any], sha: str
) -> Written:
    """Append ``fields`` to ``session``'s chain and move it at once into ``sha``'s note."""
    appended = Journal(layout.state_dir).append(session, fields)
    try:
        flush_session(layout, ref, session, sha)
    except AgentgovError as err:
        return Written(appended.record, session, sha, attached=False, problem=str(err))
    return Written(appended.record, session, sha, attached=True)


def commit_named(layout: RepoLayout, name: str) -> str:
    """The commit ``name`` names, or a usage error that says how to get it."""
    sha = resolve_commit(layout.root, name)
    if sha is None:
        raise UsageError(f"{name}: no such commit in {layout.root} (fetch it, or check the id)")
    return sha


def git_email(root: Path, names: str = "a review names its reviewer") -> str:
    """git's ``user.email``, which names who wrote a record; a usage error when unset."""
    done = run(root, "config", "user.email")
    email = done.stdout.strip()
    if done.returncode != 0 or not email:
        raise UsageError(
            f'git\'s user.email is not set: {names} (git config user.email "you@example.com")'
        )
    return email


def _refuse_agents(command: str, environ: Mapping[str, str]) -> None:
    what = f"{command} writes the evidence an agent is judged by"
    refuse_agents(what, environ, "a person (or CI) runs it")


def _safe(text: str) -> str:
    return "".join(char if char.isalnum() or char in "-_." else "-" for char in text)[:100]
