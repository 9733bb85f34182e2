"""Signed notes commits: made by git's own signing program, judged by git's verification.

A real ssh key made with ``ssh-keygen`` in tmp_path, an allowed-signers file, real flushes,
and ``agentgov audit verify`` as a subprocess.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agentgov.audit.flush import flush_journal
from agentgov.audit.notes import BackendName, NotesStore
from agentgov.errors import GitError
from agentgov.git_layout import find_repo
from tests.audit.conftest import REF, decision
from tests.git_hooks.conftest import AGENTGOV, Clone, base_env, make_clone

pytestmark = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH) is not installed here"
)


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process flushes read git config too: the same HOME as the clones' git."""
    (tmp_path / "home").mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def ssh_key(tmp_path: Path, name: str) -> Path:
    key = tmp_path / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
    )
    return key


@pytest.fixture
def clone(tmp_path: Path) -> Clone:
    """A clone set up to sign with an ssh key, and an allowed-signers file naming it."""
    clone = make_clone(tmp_path)
    key = ssh_key(tmp_path, "signing-key")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"author@example.com {(tmp_path / 'signing-key.pub').read_text()}")
    clone.git("config", "gpg.format", "ssh")
    clone.git("config", "user.signingKey", str(key))
    clone.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
    return clone


def record_and_flush(clone: Clone, session: str = "s", count: int = 2) -> str | None:
    layout = find_repo(clone.path)
    assert layout is not None
    from agentgov.audit.journal import Journal

    journal = Journal(layout.state_dir)
    for n in range(count):
        journal.append(session, decision(input=f"make step-{n}"))
    return flush_journal(layout, REF).notes_commit


def is_signed(clone: Clone, commit: str) -> bool:
    header = clone.git("cat-file", "-p", commit).split("\n\n", 1)[0]
    return "\ngpgsig " in header


def verify(clone: Clone, *args: str) -> tuple[int, dict[str, Any]]:
    done = clone.run_command([str(AGENTGOV), "audit", "verify", "--format", "json", *args])
    return done.returncode, json.loads(done.stdout)


def kinds(report: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(p["kind"], p["notes_commit"]) for p in report["problems"]]


@pytest.mark.parametrize(
    ("settings", "signed"),
    [
        pytest.param({"agentgov.signNotes": "true"}, True, id="agentgov.signNotes"),
        pytest.param({"commit.gpgSign": "true"}, True, id="commit.gpgSign"),
        pytest.param(
            {"commit.gpgSign": "true", "agentgov.signNotes": "false"},
            False,
            id="agentgov.signNotes=false wins",
        ),
        pytest.param({}, False, id="nothing configured"),
    ],
)
def test_the_flush_signs_when_the_user_signs(
    clone: Clone, settings: dict[str, str], signed: bool
) -> None:
    for key, value in settings.items():
        clone.git("config", key, value)
    written = record_and_flush(clone)
    assert written is not None
    assert is_signed(clone, written) is signed


@pytest.mark.parametrize("backend", ["libgit2", "git"])
def test_both_backends_sign_appends_copies_and_merges(
    clone: Clone, tmp_path: Path, backend: BackendName
) -> None:
    clone.git("config", "agentgov.signNotes", "true")
    store = NotesStore(clone.path, REF, backend=backend)
    head = clone.head()
    appended = store.append(head, [b'{"n":1}']).notes_commit
    copied = store.copy_notes([(head, clone.head("HEAD~1"))]).notes_commit
    other = make_clone(tmp_path, "other", clone.remote)
    NotesStore(other.path, REF).append(head, [b'{"n":2}'])
    other.git("push", "-q", "origin", REF)
    clone.git("fetch", "-q", "origin", f"{REF}:refs/notes/theirs")
    merged = store.merge(clone.head("refs/notes/theirs")).notes_commit
    assert [is_signed(clone, c) for c in (appended, copied, merged) if c] == [True] * 3


def test_verify_signed_accepts_a_trail_signed_by_an_allowed_signer(clone: Clone) -> None:
    clone.git("config", "agentgov.signNotes", "true")
    record_and_flush(clone)
    record_and_flush(clone, "t")
    code, report = verify(clone, "--signed")
    assert (code, report["problems"], report["signed"], report["notes_commits"]) == (0, [], 2, 2)


def unsigned_on_top(clone: Clone, tmp_path: Path) -> str:
    clone.git("notes", "--ref", REF, "append", "-m", "", clone.head())
    return clone.head(REF)


def no_allowed_signers_file(clone: Clone, tmp_path: Path) -> str:
    clone.git("config", "--unset", "gpg.ssh.allowedSignersFile")
    return clone.head(REF)


def signed_by_a_stranger(clone: Clone, tmp_path: Path) -> str:
    clone.git("config", "user.signingKey", str(ssh_key(tmp_path, "stranger")))
    written = record_and_flush(clone, "t")
    assert written is not None
    return written


def signature_broken(clone: Clone, tmp_path: Path) -> str:
    """The signed tip's message changed afterwards: same tree and parent, stale signature."""
    raw = clone.git("cat-file", "-p", REF).replace("'agentgov append'", "'agentgov append' ")
    forged = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=clone.path,
        input=raw,
        capture_output=True,
        text=True,
        check=True,
        env=base_env(clone.home),
    ).stdout.strip()
    clone.git("update-ref", REF, forged)
    return forged


def new_unsigned_root(clone: Clone, tmp_path: Path) -> str:
    """A whole new notes history, made by someone without the key."""
    tree = clone.head(f"{REF}^{{tree}}")
    root = clone.git("commit-tree", tree, "-m", "Notes added by 'git notes add'").strip()
    clone.git("update-ref", REF, root)
    return root


ALLOWED = "gpg.ssh.allowedSignersFile"


@pytest.mark.parametrize(
    ("change", "plain", "signed", "mentions"),
    [
        pytest.param(unsigned_on_top, [], ["unsigned"], "--signed requires", id="unsigned"),
        pytest.param(
            no_allowed_signers_file, [], ["unverified-signature"], ALLOWED, id="no allowed signers"
        ),
        pytest.param(
            signed_by_a_stranger,
            [],
            ["unverified-signature"],
            "not an allowed signer",
            id="stranger",
        ),
        pytest.param(
            signature_broken,
            ["bad-signature"],
            ["bad-signature"],
            "changed after it was signed",
            id="bad signature",
        ),
        pytest.param(new_unsigned_root, [], ["unsigned"], "not signed", id="new unsigned root"),
    ],
)
def test_verify_reports_signatures(
    clone: Clone,
    tmp_path: Path,
    change: Any,
    plain: list[str],
    signed: list[str],
    mentions: str,
) -> None:
    clone.git("config", "agentgov.signNotes", "true")
    record_and_flush(clone)
    named = change(clone, tmp_path)
    code, report = verify(clone)
    assert (code, kinds(report)) == (1 if plain else 0, [(k, named) for k in plain])
    code, report = verify(clone, "--signed")
    assert (code, kinds(report)) == (1, [(k, named) for k in signed])
    assert mentions in report["problems"][0]["message"]


def test_a_signing_failure_loses_no_record(clone: Clone, tmp_path: Path) -> None:
    clone.git("config", "agentgov.signNotes", "true")
    clone.git("config", "user.signingKey", str(tmp_path / "no-such-key"))
    with pytest.raises(GitError, match=r"cannot sign the notes commit .*agentgov\.signNotes"):
        record_and_flush(clone)
    assert clone.run("rev-parse", "--verify", "--quiet", REF).returncode == 1
    clone.git("config", "agentgov.signNotes", "false")
    layout = find_repo(clone.path)
    assert layout is not None
    assert flush_journal(layout, REF).recovered == 2  # the interrupted flush's records
    code, report = verify(clone)
    assert (code, report["records"]) == (0, 2)
