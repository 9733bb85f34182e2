"""Text and JSON for the ``agentgov audit`` commands: what moved, synced, or is wrong."""

from __future__ import annotations

import json

from agentgov.audit.flush import FlushResult
from agentgov.audit.history import ReattachResult, RewriteSetup
from agentgov.audit.sync import SyncResult, fetch_refspec
from agentgov.audit.verify import VerifyReport

VERIFY_JSON_VERSION = 2


def flush_text(result: FlushResult, ref: str) -> str:
    if result.target is None:
        if not result.waiting:
            return "nothing to flush"
        return (
            f"no commit to attach records to yet (the repository has no commits): "
            f"{result.waiting} record(s) stay in the journal until the first commit"
        )
    if not result.moved and not result.already_in_notes:
        return "nothing to flush"
    text = (
        f"flushed {result.moved} record(s) from {result.sessions} session(s) to {ref} "
        f"on {result.target[:12]}"
    )
    if result.stale_lock_removed:
        text += f" (removed {result.stale_lock_removed}, left by a killed writer)"
    if result.recovered or result.already_in_notes:
        text += (
            f" (finished an interrupted flush: {result.recovered} record(s) moved now, "
            f"{result.already_in_notes} already in the notes)"
        )
    return text


def sync_text(result: SyncResult) -> str:
    fetched = (
        f"{result.remote} has no trail on {result.ref} yet"
        if result.fetched is None
        else f"fetched {result.remote}'s trail ({result.fetched[:12]}): {result.merge}"
    )
    lines = [fetched]
    if result.pushed is not None and result.already_there:
        lines.append(f"{result.remote} already has {result.ref} ({result.pushed[:12]})")
    elif result.pushed is not None:
        tries = f" after {result.attempts} attempts" if result.attempts > 1 else ""
        lines.append(f"pushed {result.ref} ({result.pushed[:12]}) to {result.remote}{tries}")
    return "\n".join(lines)


def verify_text(report: VerifyReport, ref: str, *, require: bool = False) -> str:
    if not report.found and not report.records:
        text = f"no audit trail on {ref}"
        if require:
            text += (
                ": --require needs one. A clone does not fetch notes; fetch the trail with "
                f"`git fetch origin {ref}:{ref}` before verifying"
            )
        return text
    counted = f"{report.records} record(s) in {report.sessions} session(s) on {ref}"
    if report.ok:
        return f"audit trail ok: {counted}"
    lines = [str(problem) for problem in report.problems]
    lines.append(f"audit trail has {len(report.problems)} problem(s): {counted}")
    return "\n".join(lines)


def verify_ok(report: VerifyReport, *, require: bool = False) -> bool:
    """Whether verify exits 0: no problem, and a trail when one is required."""
    return report.ok and (report.found or report.records > 0 or not require)


def verify_json(report: VerifyReport, ref: str, *, require: bool = False) -> str:
    """Version 2 adds ``found``, the notes history's counts, and each problem's ``kind``
    and ``notes_commit`` (see ``Problem.kind``)."""
    return json.dumps(
        {
            "v": VERIFY_JSON_VERSION,
            "ref": ref,
            "found": report.found,
            "ok": verify_ok(report, require=require),
            "records": report.records,
            "sessions": report.sessions,
            "notes_commits": report.notes_commits,
            "signed": report.signed,
            "problems": [
                {
                    "kind": p.kind,
                    "where": p.where,
                    "commit": p.commit,
                    "line": p.line,
                    "session": p.session,
                    "seq": p.seq,
                    "notes_commit": p.notes_commit,
                    "message": p.message,
                }
                for p in report.problems
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


def reattach_text(result: ReattachResult, ref: str) -> str:
    if not result.noted:
        return f"none of the {result.commits} commit(s) in the range has a note on {ref}"
    return (
        f"copied {result.records_added} record(s) from {result.noted} of {result.commits} "
        f"commit(s) onto {result.onto[:12]}"
    )


def setup_text(setup: RewriteSetup, remote: str = "origin") -> str:
    added = "added to" if setup.ref_added else "already in"
    return "\n".join(
        [
            f"{setup.ref} {added} notes.rewriteRef: amend and rebase carry its notes",
            "notes.rewriteMode = cat_sort_uniq"
            + (
                f" (was {setup.mode_before})"
                if setup.mode_before not in (None, "cat_sort_uniq")
                else ""
            ),
            f"{setup.merge_strategy_key} = cat_sort_uniq",
            "To fetch the trail with every `git fetch`: "
            f"git config --add remote.{remote}.fetch '{fetch_refspec(setup.ref, remote)}'",
        ]
    )
