"""pre-push through real ``git push`` to a real bare remote: what is refused, what passes.

The default policy (no .agentgov/policy.yaml: the default template) protects main, master
and release/* for everyone.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.git_hooks.conftest import AGENTGOV, Clone, base_env, make_clone

REFUSED = "agentgov: push to origin refused"


def diverge(clone: Clone) -> tuple[str, str]:
    """Make local main and the remote's main diverge; (remote tip, local tip)."""
    clone.commit("pushed")
    clone.git("push", "-q", "origin", "main")
    remote_tip = clone.head()
    clone.git("reset", "-q", "--hard", "HEAD~1")
    return remote_tip, clone.commit("rewritten")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("push", "--force", "origin", "main"), id="--force"),
        pytest.param(("push", "origin", "+main"), id="+main"),
        pytest.param(("push", "--force-with-lease", "origin", "main"), id="--force-with-lease"),
        pytest.param(("push", "-f", "origin", "HEAD:refs/heads/main"), id="-f HEAD:main"),
    ],
)
def test_a_force_push_to_main_is_refused(clone: Clone, args: tuple[str, ...]) -> None:
    remote_tip, _ = diverge(clone)
    done = clone.run(*args)
    assert done.returncode != 0
    assert REFUSED in done.stderr
    assert "[git.force-push-protected] refs/heads/main: force-push to the protected branch " in (
        done.stderr
    )
    assert "git push origin HEAD:refs/heads/<topic>" in done.stderr
    assert clone.remote_head() == remote_tip


def test_deleting_main_is_refused(clone: Clone) -> None:
    before = clone.remote_head()
    done = clone.run("push", "origin", ":main")
    assert done.returncode != 0
    assert "[git.delete-protected-branch] refs/heads/main: deleting the protected branch main" in (
        done.stderr
    )
    assert "leave main in place" in done.stderr
    assert clone.remote_head() == before


def test_deleting_a_release_branch_with_delete_is_refused(clone: Clone) -> None:
    clone.git("push", "-q", "origin", "main:refs/heads/release/1.0")
    done = clone.run("push", "origin", "--delete", "release/1.0")
    assert done.returncode != 0
    assert "deleting the protected branch release/1.0 on origin" in done.stderr
    assert clone.remote_head("refs/heads/release/1.0") is not None


def test_a_mirror_push_is_refused(clone: Clone) -> None:
    # A fast-forward of main: the stdin line alone looks harmless; --mirror is what it is.
    before = clone.remote_head()
    clone.commit("ahead")
    done = clone.run("push", "--mirror", "origin")
    assert done.returncode != 0
    assert "a mirror push (git push --mirror) force-updates every ref, including the " in (
        done.stderr
    )
    assert clone.remote_head() == before


def test_a_mirror_remote_is_refused_without_the_flag(clone: Clone) -> None:
    clone.git("config", "remote.origin.mirror", "true")
    clone.commit("ahead")
    done = clone.run("push", "origin")
    assert done.returncode != 0
    assert "a mirror push (remote.origin.mirror is true)" in done.stderr


def test_a_mirror_push_deleting_main_names_the_deletion(clone: Clone) -> None:
    clone.git("checkout", "-q", "-b", "topic")
    clone.git("branch", "-q", "-D", "main")
    clone.git("update-ref", "-d", "refs/remotes/origin/main")
    done = clone.run("push", "--mirror", "origin")
    assert done.returncode != 0
    assert "[git.delete-protected-branch] refs/heads/main" in done.stderr


def test_a_fast_forward_push_to_main_passes(clone: Clone) -> None:
    tip = clone.commit("ahead")
    done = clone.run("push", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert "agentgov" not in done.stderr
    assert clone.remote_head() == tip


def test_a_force_push_to_a_feature_branch_passes(clone: Clone) -> None:
    clone.git("checkout", "-q", "-b", "feature")
    clone.commit("work")
    clone.git("push", "-q", "origin", "feature")
    clone.git("commit", "-q", "--amend", "-m", "work, amended")
    done = clone.run("push", "--force", "origin", "feature")
    assert done.returncode == 0, done.stderr
    assert clone.remote_head("refs/heads/feature") == clone.head()


def test_deleting_a_feature_branch_passes(clone: Clone) -> None:
    clone.git("push", "-q", "origin", "main:refs/heads/feature")
    done = clone.run("push", "origin", ":feature")
    assert done.returncode == 0, done.stderr
    assert clone.remote_head("refs/heads/feature") is None


def test_one_refused_ref_refuses_the_whole_push(clone: Clone) -> None:
    diverge(clone)
    clone.git("branch", "-q", "feature")
    done = clone.run("push", "origin", "feature", "+main")
    assert done.returncode != 0
    assert clone.remote_head("refs/heads/feature") is None


def test_a_remote_commit_never_fetched_counts_as_a_rewrite(clone: Clone, tmp_path: Path) -> None:
    other = make_clone(tmp_path, "other", clone.remote)
    other.commit("someone else's work")
    other.git("push", "-q", "origin", "main")
    clone.commit("mine")
    done = clone.run("push", "--force", "origin", "main")
    assert done.returncode != 0
    assert "which this clone has never fetched" in done.stderr
    assert "fetch first (git fetch origin)" in done.stderr
    assert clone.remote_head() == other.head()


def test_a_published_tag_is_never_moved_or_deleted(clone: Clone) -> None:
    clone.git("tag", "v1.0")
    clone.git("push", "-q", "origin", "v1.0")
    clone.commit("next")
    clone.git("tag", "-f", "v1.0")
    moved = clone.run("push", "--force", "origin", "v1.0")
    assert moved.returncode != 0
    assert "[git.force-push-protected] refs/tags/v1.0: moving the published tag v1.0" in (
        moved.stderr
    )
    deleted = clone.run("push", "origin", ":refs/tags/v1.0")
    assert deleted.returncode != 0
    assert "deleting the published tag v1.0" in deleted.stderr
    clone.git("tag", "v1.1")
    assert clone.run("push", "origin", "v1.1").returncode == 0


POLICY = """version: 1
protected_branches: [main, "release/*"]
{extra}
task_classes:
  default:
    level: 3
"""


def commit_policy(clone: Clone, extra: str = "") -> None:
    clone.commit("policy", ".agentgov/policy.yaml", POLICY.format(extra=extra))
    clone.git("push", "-q", "origin", "main")
    clone.git("fetch", "-q", "origin")


def test_apply_to_agents_lets_a_person_force_push_but_not_an_agent(clone: Clone) -> None:
    commit_policy(clone, "git_hooks:\n  apply_to: agents")
    diverge(clone)
    as_agent = clone.run("push", "--force", "origin", "main", env={"CLAUDECODE": "1"})
    assert as_agent.returncode != 0
    assert "[git.force-push-protected]" in as_agent.stderr
    other_agent = clone.run("push", "--force", "origin", "main", env={"AGENTGOV_AGENT": "1"})
    assert other_agent.returncode != 0
    as_person = clone.run("push", "--force", "origin", "main")
    assert as_person.returncode == 0, as_person.stderr


def test_a_rule_in_shadow_mode_reports_and_lets_the_push_through(clone: Clone) -> None:
    commit_policy(clone, "rules:\n  git.force-push-protected: shadow")
    _, rewritten = diverge(clone)
    done = clone.run("push", "--force", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert "agentgov: shadow mode, not enforced: push to origin would be refused" in done.stderr
    assert clone.remote_head() == rewritten


def test_a_corrupt_policy_refuses_only_protected_branches(clone: Clone) -> None:
    # Committed with --no-verify: the pre-commit hook would refuse an invalid policy.
    (clone.path / ".agentgov").mkdir()
    (clone.path / ".agentgov" / "policy.yaml").write_text("version: 1\ntask_classes: [\n")
    clone.git("add", ".agentgov/policy.yaml")
    clone.git("commit", "-q", "--no-verify", "-m", "broken policy")
    fast_forward = clone.run("push", "origin", "main")
    assert fast_forward.returncode != 0
    assert "[policy] refs/heads/main: update of main on origin refused: the policy in force " in (
        fast_forward.stderr
    )
    assert ".agentgov/policy.yaml" in fast_forward.stderr
    assert "fix .agentgov/policy.yaml on the default branch" in fast_forward.stderr
    clone.git("checkout", "-q", "-b", "fix-policy")
    feature = clone.run("push", "origin", "fix-policy")
    assert feature.returncode == 0, feature.stderr


def run_hook(clone: Clone, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AGENTGOV), "hook", "git", "pre-push", "--", *args],
        cwd=clone.path,
        input=stdin,
        capture_output=True,
        text=True,
        env=base_env(clone.home),
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ("refs/heads/main abc refs/heads/main def\n", "the local object id 'abc'"),
        ("just three words\n", "is not '<local ref> <local sha> <remote ref> <remote sha>'"),
        (
            f"refs/heads/main {'a' * 40} main {'0' * 40}\n",
            "the remote ref 'main' is not a full ref name",
        ),
        (f"refs/heads/main {'a' * 40} refs/heads/main {'0' * 64}\n", "different lengths"),
    ],
)
def test_a_malformed_stdin_line_refuses_the_push(clone: Clone, stdin: str, expected: str) -> None:
    done = run_hook(clone, stdin, "origin", str(clone.remote))
    assert done.returncode == 2
    assert expected in done.stderr
    assert "the push is refused" in done.stderr


def test_the_hook_without_git_arguments_is_a_usage_error(clone: Clone) -> None:
    done = run_hook(clone, "")
    assert done.returncode == 2
    assert "pre-push expects git's two arguments" in done.stderr


def test_the_audit_trail_travels_with_the_push(clone: Clone) -> None:
    from agentgov.audit.journal import Journal
    from agentgov.git_layout import find_repo

    layout = find_repo(clone.path)
    assert layout is not None
    Journal(layout.state_dir).append("session-1", {"kind": "turn", "event": "start"})
    tip = clone.commit("agent work")  # post-commit flushes the record onto it
    note = clone.git("notes", "--ref", "agentgov", "show", tip)
    assert '"session":"session-1"' in note.replace(" ", "")
    done = clone.run("push", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert "agentgov: audit trail refs/notes/agentgov pushed to origin" in done.stderr
    assert clone.remote_head("refs/notes/agentgov") == clone.head("refs/notes/agentgov")
    again = clone.run("push", "origin", "main")
    assert "audit trail" not in again.stderr  # nothing new: no second push


def agent_trail(clone: Clone, tmp_path: Path) -> str:
    """Records of session s (seq 1 a deny) flushed onto a new commit by post-commit, and
    pushed with main; the annotated commit."""
    from agentgov.audit.journal import Journal
    from agentgov.git_layout import find_repo
    from tests.audit.conftest import decision

    layout = find_repo(clone.path)
    assert layout is not None
    journal = Journal(layout.state_dir)
    for verdict in ("allow", "deny", "allow"):
        journal.append("s", decision(decision=verdict))
    tip = clone.commit("agent work")
    assert clone.run("push", "origin", "main").returncode == 0
    assert clone.remote_head("refs/notes/agentgov") == clone.head("refs/notes/agentgov")
    return tip


def forge_note(clone: Clone, annotated: str) -> str:
    """Rewrite the note, recomputing every later prev (a fast-forward of the notes ref)."""
    import hashlib
    import json

    from agentgov.audit.journal import encode

    out: list[str] = []
    for line in clone.git("notes", "--ref", "agentgov", "show", annotated).splitlines():
        fields = json.loads(line)
        fields["decision"] = "allow"
        if out:
            fields["prev"] = hashlib.sha256(out[-1].encode()).hexdigest()
        out.append(encode(fields))
    path = clone.path.parent / "forged.txt"
    path.write_text("".join(line + "\n" for line in out))
    clone.git("notes", "--ref", "agentgov", "add", "-f", "-F", str(path), annotated)
    return clone.head("refs/notes/agentgov")


def test_a_forged_note_that_fast_forwards_the_trail_is_refused(
    clone: Clone, tmp_path: Path
) -> None:
    annotated = agent_trail(clone, tmp_path)
    shared = clone.head("refs/notes/agentgov")
    forged = forge_note(clone, annotated)
    done = clone.run("push", "origin", "refs/notes/agentgov")
    assert done.returncode != 0
    assert (
        f"[guard.tamper] refs/notes/agentgov: rewriting the audit trail refs/notes/agentgov: "
        f"notes commit {forged[:12]} changes session s seq 1 on {annotated[:12]} and 1 more "
        f"line(s), which its parent {shared[:12]} held (notes commits that take lines away: "
        f"{forged[:12]}); the trail is append-only evidence, and a notes commit may only add "
        "lines"
    ) in done.stderr
    assert "`agentgov audit verify` names every line taken away" in done.stderr
    assert clone.remote_head("refs/notes/agentgov") == shared


def test_an_appended_trail_is_pushed(clone: Clone, tmp_path: Path) -> None:
    agent_trail(clone, tmp_path)
    clone.git("notes", "--ref", "agentgov", "append", "-m", "{}", "HEAD~1")  # adds a line
    done = clone.run("push", "origin", "refs/notes/agentgov")
    assert done.returncode == 0, done.stderr
    assert clone.remote_head("refs/notes/agentgov") == clone.head("refs/notes/agentgov")


def test_a_new_notes_history_is_refused_as_a_rewrite(clone: Clone, tmp_path: Path) -> None:
    annotated = agent_trail(clone, tmp_path)
    shared = clone.head("refs/notes/agentgov")
    forge_note(clone, annotated)
    tree = clone.head("refs/notes/agentgov^{tree}")
    root = clone.git("commit-tree", tree, "-m", "Notes added by 'git notes add'").strip()
    clone.git("update-ref", "refs/notes/agentgov", root)
    done = clone.run("push", "--force", "origin", "refs/notes/agentgov")
    assert done.returncode != 0
    assert "[guard.tamper] refs/notes/agentgov: rewriting the audit trail " in done.stderr
    assert clone.remote_head("refs/notes/agentgov") == shared
