"""The notes store as git sees it: layout, interop with ``git notes``, fsck, worktrees, reftable.

Every test runs on a real repository. Most run twice, once per backend (libgit2, and the
git plumbing used where libgit2 cannot open a repository), since both must leave the same
trail behind.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Union

import pytest

from agentgov.audit.notes import (
    DEFAULT_REF,
    BackendName,
    NotesStore,
    notes_ref,
    ref_storage,
)
from agentgov.errors import GitError, NotesConflictError
from tests.conftest import GIT_IDENTITY, git

if TYPE_CHECKING:
    from pathlib import Path

REF = DEFAULT_REF


@pytest.fixture(params=["libgit2", "git"])
def backend(request: pytest.FixtureRequest) -> BackendName:
    choice: BackendName = request.param
    return choice


def make_commits(repo: Path, count: int) -> list[str]:
    """``count`` new empty commits on top of HEAD, oldest first."""
    for n in range(count):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"commit {n}")
    return git(repo, "rev-list", "--reverse", f"HEAD~{count}..HEAD").split()


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def note_paths(repo: Path, ref: str = REF) -> list[str]:
    return git(repo, "ls-tree", "-r", "--name-only", ref).split()


def git_input(repo: Path, data: str, *args: str) -> str:
    """Run git with ``data`` on stdin, for the plumbing that crafts odd notes trees."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_IDENTITY)
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, input=data, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


Layout = dict[str, Union["Layout", str]]
"""A notes tree to craft: name -> subtree or blob content."""


def set_notes_tree(repo: Path, entries: dict[str, str]) -> None:
    """Point the notes ref at a commit whose tree is ``entries`` (path -> content),
    a layout git or libgit2 might have left: flat, fanned out, or deeper."""

    def tree(level: Layout) -> str:
        lines = []
        for name, value in level.items():
            if isinstance(value, dict):
                lines.append(f"040000 tree {tree(value)}\t{name}")
            else:
                blob = git_input(repo, value, "hash-object", "-w", "--stdin")
                lines.append(f"100644 blob {blob}\t{name}")
        return git_input(repo, "\n".join(lines) + "\n", "mktree")

    nested: Layout = {}
    for path, content in entries.items():
        level = nested
        *dirs, leaf = path.split("/")
        for part in dirs:
            sub = level.setdefault(part, {})
            assert isinstance(sub, dict)
            level = sub
        level[leaf] = content
    commit = git_input(repo, "crafted notes\n", "commit-tree", tree(nested))
    git(repo, "update-ref", REF, commit)


# --- appending --------------------------------------------------------------------------


def test_first_append_creates_the_ref(repo: Path, backend: BackendName) -> None:
    store = NotesStore(repo, backend=backend)
    commit = head(repo)
    assert store.backend == backend
    assert store.tip() is None
    assert store.read(commit) == b""

    result = store.append(commit, [b'{"n":1}', b'{"n":2}'])

    assert result.notes_commit == store.tip() == git(repo, "rev-parse", REF).strip()
    assert result.annotated == (commit,)
    assert result.attempts == 1
    assert store.read(commit) == b'{"n":1}\n{"n":2}\n'
    assert git(repo, "rev-list", "--parents", REF).split() == [result.notes_commit]


def test_second_append_adds_lines_in_a_child_notes_commit(repo: Path, backend: BackendName) -> None:
    store = NotesStore(repo, backend=backend)
    commit = head(repo)
    first = store.append(commit, [b"one"])
    second = store.append(commit.upper(), [b"two"])

    assert store.read(commit) == b"one\ntwo\n"
    assert git(repo, "rev-parse", f"{REF}^").strip() == first.notes_commit
    assert second.notes_commit == store.tip()


def test_append_many_writes_one_notes_commit(repo: Path, backend: BackendName) -> None:
    a, b, c = make_commits(repo, 3)
    store = NotesStore(repo, backend=backend)
    store.append(a, [b"old"])

    initial = git(repo, "rev-parse", "HEAD~3").strip()
    result = store.append_many({a: [b"a1"], b: [b"b1", b"b2"], c: [b"c1"], initial: []})

    assert result.annotated == tuple(sorted([a, b, c]))
    assert git(repo, "rev-list", "--count", REF).strip() == "2"
    assert [store.read(x) for x in (a, b, c)] == [b"old\na1\n", b"b1\nb2\n", b"c1\n"]


def test_notes_are_written_at_two_character_fanout_paths(repo: Path, backend: BackendName) -> None:
    commits = make_commits(repo, 3)
    NotesStore(repo, backend=backend).append_many({c: [b"x"] for c in commits})

    assert note_paths(repo) == sorted(f"{c[:2]}/{c[2:]}" for c in commits)


def test_nothing_to_append_writes_nothing(repo: Path, backend: BackendName) -> None:
    store = NotesStore(repo, backend=backend)

    assert store.append(head(repo), []) == store.append_many({})
    assert store.append_many({head(repo): []}).notes_commit is None
    assert store.tip() is None


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([b"two\nlines"], ValueError),
        ([b"trailing newline\n"], ValueError),
        ([b"carriage\rreturn"], ValueError),
        ([b""], ValueError),
        ([b"ok", b"bad\n"], ValueError),
        (["text, not bytes"], TypeError),
        (b"bytes, not a list of lines", TypeError),
    ],
)
def test_a_bad_line_is_refused_before_anything_is_written(
    repo: Path, lines: list[bytes], error: type[Exception]
) -> None:
    store = NotesStore(repo)
    with pytest.raises(error):
        store.append(head(repo), lines)
    assert store.tip() is None


@pytest.mark.parametrize("commit", ["HEAD", "abc123", "g" * 40, "a" * 39, ""])
def test_commits_are_full_object_ids(repo: Path, commit: str) -> None:
    store = NotesStore(repo)
    with pytest.raises(ValueError, match="not a full object id"):
        store.append(commit, [b"x"])
    with pytest.raises(ValueError, match="not a full object id"):
        store.read(commit)


# --- layouts other tools wrote --------------------------------------------------------------


def test_a_flat_note_from_git_is_read_then_moved_into_fanout(
    repo: Path, backend: BackendName
) -> None:
    commit = head(repo)
    git(repo, "notes", "--ref", "agentgov", "add", "-m", "legacy", commit)
    assert note_paths(repo) == [commit]  # git writes small notes trees flat

    store = NotesStore(repo, backend=backend)
    assert store.read(commit) == b"legacy\n"
    store.append(commit, [b"new"])

    assert note_paths(repo) == [f"{commit[:2]}/{commit[2:]}"]
    assert store.read(commit) == b"legacy\nnew\n"


def test_a_note_without_final_newline_gets_one_before_appending(
    repo: Path, backend: BackendName
) -> None:
    commit = head(repo)
    blob = git_input(repo, "no newline", "hash-object", "-w", "--stdin")
    git(repo, "notes", "--ref", "agentgov", "add", "-C", blob, commit)

    NotesStore(repo, backend=backend).append(commit, [b"next"])

    assert NotesStore(repo).read(commit) == b"no newline\nnext\n"


def test_deeper_fanout_and_split_notes_are_read_and_merged(
    repo: Path, backend: BackendName
) -> None:
    deep, split, other = make_commits(repo, 3)
    set_notes_tree(
        repo,
        {
            f"{deep[:2]}/{deep[2:4]}/{deep[4:]}": "deep\n",
            split: "flat part\n",
            f"{split[:2]}/{split[2:]}": "fanned part\n",
            f"{other[:2]}/{other[2:4]}/{other[4:]}": "untouched\n",
            "README": "not a note\n",
        },
    )
    store = NotesStore(repo, backend=backend)
    assert store.read(deep) == b"deep\n"
    assert store.read(split) == b"flat part\nfanned part\n"

    store.append_many({deep: [b"d2"], split: [b"s2"]})

    assert store.read(deep) == b"deep\nd2\n"
    assert store.read(split) == b"flat part\nfanned part\ns2\n"
    assert sorted(note_paths(repo)) == sorted(
        [
            f"{deep[:2]}/{deep[2:]}",
            f"{split[:2]}/{split[2:]}",
            f"{other[:2]}/{other[2:4]}/{other[4:]}",
            "README",
        ]
    )
    assert dict(store.iter_notes()) == {
        deep: b"deep\nd2\n",
        split: b"flat part\nfanned part\ns2\n",
        other: b"untouched\n",
    }
    git(repo, "fsck", "--strict", "--no-progress")


def test_a_large_flat_tree_is_moved_into_fanout_in_one_write(
    repo: Path, backend: BackendName
) -> None:
    """libgit2 writes every note flat; past 256 root entries each write would pay for all
    of them, so the first append re-fans the whole tree."""
    annotated = [hashlib.sha1(str(n).encode()).hexdigest() for n in range(300)]
    set_notes_tree(repo, {name: f"note {name}\n" for name in annotated})
    store = NotesStore(repo, backend=backend)

    store.append(annotated[5], [b"more"])

    paths = note_paths(repo)
    assert len(paths) == 300
    assert all(len(path.split("/")[0]) == 2 for path in paths)
    notes = dict(store.iter_notes())
    assert notes == {
        name: f"note {name}\n".encode() + (b"more\n" if name == annotated[5] else b"")
        for name in annotated
    }
    assert len(git(repo, "notes", "--ref", "agentgov", "list").splitlines()) == 300


# --- interop with git -----------------------------------------------------------------------


def test_git_notes_reads_and_appends_on_top(repo: Path, backend: BackendName) -> None:
    a, b = make_commits(repo, 2)
    store = NotesStore(repo, backend=backend)
    store.append_many({a: [b'{"r":1}', b'{"r":2}'], b: [b'{"r":3}']})

    assert git(repo, "notes", "--ref", "agentgov", "show", a) == '{"r":1}\n{"r":2}\n'
    assert git(repo, "log", "-1", "--format=%N", "--notes=agentgov", b) == '{"r":3}\n\n'

    git(repo, "notes", "--ref", "agentgov", "append", "-m", '{"r":4}', a)
    store.append(a, [b'{"r":5}'])

    # git separates its appended paragraph with a blank line; records stay one per line.
    assert store.read(a) == b'{"r":1}\n{"r":2}\n\n{"r":4}\n{"r":5}\n'
    assert git(repo, "notes", "--ref", "agentgov", "show", a) == store.read(a).decode()
    git(repo, "fsck", "--strict", "--no-progress")


def test_notes_commits_carry_the_configured_identity(repo: Path, backend: BackendName) -> None:
    git(repo, "config", "user.name", "Ada Lovelace")
    git(repo, "config", "user.email", "ada@example.com")
    NotesStore(repo, backend=backend).append(head(repo), [b"x"])

    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", REF) == (
        "Ada Lovelace <ada@example.com>|Ada Lovelace <ada@example.com>"
        "|Notes added by 'agentgov append'\n"
    )


def test_without_an_identity_notes_commits_are_signed_agentgov(
    repo: Path, tmp_path: Path, backend: BackendName
) -> None:
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    # A fresh process: libgit2 reads the global config's location once, at start.
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home), GIT_CONFIG_NOSYSTEM="1")
    script = (
        "import sys; from agentgov.audit.notes import NotesStore; "
        "NotesStore(sys.argv[1], backend=sys.argv[2]).append(sys.argv[3], [b'x'])"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(repo), backend, head(repo)], env=env, check=True
    )

    assert git(repo, "log", "-1", "--format=%an <%ae>", REF) == "agentgov <agentgov@localhost>\n"


def test_appends_work_after_git_packs_the_ref(repo: Path, backend: BackendName) -> None:
    store = NotesStore(repo, backend=backend)
    commit = head(repo)
    store.append(commit, [b"before gc"])
    git(repo, "gc", "-q")
    assert not (repo / ".git" / REF).exists()  # the ref now lives in packed-refs only

    store.append(commit, [b"after gc"])

    assert store.read(commit) == b"before gc\nafter gc\n"
    git(repo, "fsck", "--strict", "--no-progress")


def test_git_environment_of_a_hook_does_not_redirect_writes(
    repo: Path, tmp_path: Path, backend: BackendName, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoy = tmp_path / "decoy"
    git(tmp_path, "init", "-q", str(decoy))
    monkeypatch.setenv("GIT_DIR", str(decoy / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(decoy))
    monkeypatch.setenv("GIT_INDEX_FILE", str(decoy / ".git" / "index"))

    store = NotesStore(repo, backend=backend)
    store.append(head(repo), [b"here"])

    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert git(repo, "notes", "--ref", "agentgov", "show", "HEAD") == "here\n"
    assert git(decoy, "for-each-ref", "refs/notes") == ""


def test_git_backend_keeps_the_users_configuration_from_the_environment(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``git -c user.name=… commit`` reaches a hook as GIT_CONFIG_PARAMETERS; the
    numbered form is the documented way to set it."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.name")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "From Environment")

    NotesStore(repo, backend="git").append(head(repo), [b"x"])

    assert git(repo, "log", "-1", "--format=%an", REF) == "From Environment\n"


def test_another_notes_ref(repo: Path, backend: BackendName) -> None:
    store = NotesStore(repo, "audit-x", backend=backend)
    store.append(head(repo), [b"elsewhere"])

    assert store.ref == "refs/notes/audit-x"
    assert git(repo, "notes", "--ref", "audit-x", "show", "HEAD") == "elsewhere\n"
    assert NotesStore(repo).read(head(repo)) == b""


@pytest.mark.parametrize(
    ("name", "full"),
    [
        ("agentgov", "refs/notes/agentgov"),
        ("notes/agentgov", "refs/notes/agentgov"),
        ("refs/notes/agentgov", "refs/notes/agentgov"),
        ("team/audit", "refs/notes/team/audit"),
    ],
)
def test_notes_ref_names_expand_like_git_notes_ref(name: str, full: str) -> None:
    assert notes_ref(name) == full


@pytest.mark.parametrize("name", ["bad..name", "ends.lock", "with space", "trailing/"])
def test_invalid_notes_ref_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a valid notes ref name"):
        notes_ref(name)


# --- copying notes ------------------------------------------------------------------------


def test_copy_notes_unions_lines_in_one_notes_commit(repo: Path, backend: BackendName) -> None:
    old1, old2, new, bare = make_commits(repo, 4)
    store = NotesStore(repo, backend=backend)
    git(repo, "notes", "--ref", "agentgov", "add", "-m", "r1", old1)
    git(repo, "notes", "--ref", "agentgov", "append", "-m", "r2", old1)  # "r1\n\nr2\n"
    store.append_many({old2: [b"r2", b"r3", b"r3"], new: [b"r0", b"r1"]})
    before = git(repo, "rev-list", "--count", REF)

    result = store.copy_notes([(old1, new), (old2, new), (bare, new), (new, new)])

    assert result.annotated == (new,)
    assert int(git(repo, "rev-list", "--count", REF)) == int(before) + 1
    assert store.read(new) == b"r0\nr1\nr2\nr3\n"
    assert store.read(old1) == b"r1\n\nr2\n"  # the source notes are kept


def test_copy_notes_with_nothing_new_writes_nothing(repo: Path, backend: BackendName) -> None:
    old, new, empty = make_commits(repo, 3)
    store = NotesStore(repo, backend=backend)
    store.append_many({old: [b"a"], new: [b"a", b"b"]})
    tip = store.tip()

    result = store.copy_notes([(old, new), (empty, new)])

    assert result.notes_commit is None
    assert store.tip() == tip


def test_copy_notes_onto_a_commit_without_a_note(repo: Path, backend: BackendName) -> None:
    old, new = make_commits(repo, 2)
    store = NotesStore(repo, backend=backend)
    store.append(old, [b"a", b"b"])

    store.copy_notes([(old, new)])

    assert store.read(new) == b"a\nb\n"
    assert note_paths(repo) == sorted(f"{c[:2]}/{c[2:]}" for c in (old, new))


# --- iterating ----------------------------------------------------------------------------


def test_iter_notes_on_a_missing_ref_is_empty(repo: Path, backend: BackendName) -> None:
    assert list(NotesStore(repo, backend=backend).iter_notes()) == []


def test_iter_notes_mixes_layouts(repo: Path, backend: BackendName) -> None:
    flat, fanned = make_commits(repo, 2)
    git(repo, "notes", "--ref", "agentgov", "add", "-m", "from git", flat)
    store = NotesStore(repo, backend=backend)
    store.append(fanned, [b"from agentgov"])

    assert dict(store.iter_notes()) == {flat: b"from git\n", fanned: b"from agentgov\n"}
    assert sorted(note_paths(repo)) == sorted([flat, f"{fanned[:2]}/{fanned[2:]}"])


# --- repositories -----------------------------------------------------------------------


def test_a_linked_worktree_shares_the_trail(
    repo: Path, tmp_path: Path, backend: BackendName
) -> None:
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", "-b", "side", str(linked))
    side = make_commits(linked, 1)[0]

    store = NotesStore(linked, backend=backend)
    store.append(side, [b"from the worktree"])

    assert store.common_dir == (repo / ".git").resolve()
    assert store.git_dir != store.common_dir
    assert NotesStore(repo).read(side) == b"from the worktree\n"
    assert git(repo, "notes", "--ref", "agentgov", "show", side) == "from the worktree\n"


def test_opening_from_a_subdirectory_or_the_git_dir(repo: Path) -> None:
    (repo / "sub" / "dir").mkdir(parents=True)
    NotesStore(repo / "sub" / "dir").append(head(repo), [b"x"])

    assert NotesStore(repo / ".git").read(head(repo)) == b"x\n"


@pytest.mark.parametrize("where", [".", "missing/dir"])
def test_outside_a_repository_is_a_git_error(tmp_path: Path, where: str) -> None:
    with pytest.raises(GitError, match="not inside a git repository"):
        NotesStore(tmp_path / where)


def test_a_held_lock_ends_in_a_conflict_error_naming_it(repo: Path, backend: BackendName) -> None:
    store = NotesStore(repo, backend=backend, max_attempts=3)
    commit = head(repo)
    store.append(commit, [b"one"])
    lock = repo / ".git" / f"{REF}.lock"
    lock.write_text("")

    with pytest.raises(NotesConflictError, match="after 3 attempts") as caught:
        store.append(commit, [b"two"])

    assert str(lock) in str(caught.value)
    lock.unlink()
    store.append(commit, [b"three"])
    assert store.read(commit) == b"one\nthree\n"


# --- reftable -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "storage"),
    [
        (
            "[core]\n\trepositoryformatversion = 1\n[extensions]\n\trefStorage = reftable\n",
            "reftable",
        ),
        ('[Extensions]\nrefstorage="reftable" ; set by git init\n', "reftable"),
        ("[extensions]\n\trefStorage = reftable\n\trefStorage = files\n", "files"),
        ("[extensions]\n\tobjectFormat = sha1\n", "files"),
        ('[extensions "x"]\n\trefStorage = reftable\n', "files"),
        ("[core]\n\tbare = false\n# refStorage = reftable\n", "files"),
    ],
)
def test_ref_storage_is_read_from_the_repository_config(
    tmp_path: Path, config: str, storage: str
) -> None:
    (tmp_path / "config").write_text(config)
    assert ref_storage(tmp_path) == storage


def test_ref_storage_sees_a_reftable_directory(tmp_path: Path) -> None:
    (tmp_path / "reftable").mkdir()
    assert ref_storage(tmp_path) == "reftable"
    assert ref_storage(tmp_path / "missing") == "files"


def test_a_reftable_repository_is_written_with_git_or_refused_clearly(repo: Path) -> None:
    """libgit2 cannot open reftable repositories; the store uses git plumbing instead,
    and when this git is too old for reftable too, says so at open."""
    git(repo, "config", "core.repositoryformatversion", "1")
    git(repo, "config", "extensions.refStorage", "reftable")
    (repo / ".git" / "reftable").mkdir()

    version = tuple(int(part) for part in git(repo, "version").split()[2].split(".")[:2])
    if version >= (2, 45):  # pragma: no cover - depends on the machine's git
        store = NotesStore(repo)
        assert store.backend == "git"
    else:
        with pytest.raises(GitError, match=r"reftable repositories need git >= 2\.45"):
            NotesStore(repo)
        with pytest.raises(GitError, match="libgit2 cannot open"):
            NotesStore(repo, backend="libgit2")


def test_a_real_reftable_repository(tmp_path: Path) -> None:
    try:
        git(tmp_path, "init", "-q", "--ref-format=reftable", "rt")
    except AssertionError:
        pytest.skip("this git cannot create reftable repositories (needs git >= 2.45)")
    repo = tmp_path / "rt"  # pragma: no cover - depends on the machine's git
    git(repo, "commit", "-q", "--allow-empty", "-m", "x")
    store = NotesStore(repo)
    store.append(head(repo), [b"a"])
    store.append(head(repo), [b"b"])
    assert store.backend == "git"
    assert store.ref_storage == "reftable"
    assert git(repo, "notes", "--ref", "agentgov", "show", "HEAD") == "a\nb\n"
    git(repo, "fsck", "--strict", "--no-progress")
