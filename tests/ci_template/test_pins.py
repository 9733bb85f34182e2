"""The pins the CI gate installs agentgov with: the hash-locked requirements templates (the
same lock as requirements/, so they cannot drift) and the agentgov pin, checked or derived
from a distribution's direct_url.json (docs/ci.md#ci-templates)."""

from __future__ import annotations

import re

import pytest

from agentgov.errors import UsageError
from agentgov.scaffold_ci import check_pin, pin_from_direct_url
from tests.ci_template import (
    BUILD_TEMPLATE,
    DEV_LOCK,
    REQUIREMENTS_TEMPLATE,
    RUNTIME_LOCK,
    name_of,
    requirement_blocks,
    requirement_entries,
)

SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1"
HEX = "a" * 64
REGENERATE = (
    "copy requirements/runtime.txt below the header of templates/github/requirements.txt "
    "(and hatchling's blocks of requirements/dev.txt into build-requirements.txt)"
)


def test_the_runtime_pins_are_the_runtime_lock_line_for_line() -> None:
    template = requirement_blocks(REQUIREMENTS_TEMPLATE.read_text())
    lock = requirement_blocks(RUNTIME_LOCK.read_text())
    assert len(lock) >= 20
    assert template == lock, REGENERATE
    # What the file adds to the lock is comment only.
    added = REQUIREMENTS_TEMPLATE.read_text().removesuffix(RUNTIME_LOCK.read_text())
    assert added
    assert all(line.startswith("#") for line in added.splitlines())


def test_the_build_pins_are_hatchling_and_all_it_needs_from_the_dev_lock() -> None:
    build = requirement_blocks(BUILD_TEMPLATE.read_text())
    dev = requirement_blocks(DEV_LOCK.read_text())
    for key, lines in build.items():
        assert dev.get(key) == lines, (key, REGENERATE)
    # hatchling and everything the dev lock installs for it ("via hatchling"), less what
    # the runtime pins install already.
    needed = {"hatchling"} | {
        name_of(key)
        for key, via in installed_for(DEV_LOCK.read_text()).items()
        if "hatchling" in via
    }
    runtime = {name_of(key) for key in requirement_blocks(RUNTIME_LOCK.read_text())}
    assert {"pathspec", "pluggy", "trove-classifiers", "packaging"} <= needed
    assert {name_of(key) for key in build} == needed - runtime
    assert "hatchling==1.33.0" in build  # what pyproject.toml's build-system requires
    assert (
        'requires = ["hatchling==1.33.0"]'
        in (RUNTIME_LOCK.parents[1] / "pyproject.toml").read_text()
    )


def installed_for(text: str) -> dict[str, set[str]]:
    """What each requirement of a compiled lock is there for: its ``# via`` names."""
    via: dict[str, set[str]] = {}
    key = ""
    for line in text.splitlines():
        if re.match(r"[A-Za-z0-9]", line):
            key = line.removesuffix("\\").strip()
            via[key] = set()
        elif key and line.strip().startswith("#"):
            words = line.strip().lstrip("#").strip().removeprefix("via").strip()
            if words:
                via[key].add(words)
    return via


@pytest.mark.parametrize("path", [REQUIREMENTS_TEMPLATE, BUILD_TEMPLATE])
def test_every_requirement_is_pinned_exactly_and_by_hash(path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path)
    entries = requirement_entries(path.read_text())
    assert entries
    for entry in entries:
        assert re.match(r"[A-Za-z0-9._-]+==[^ ;]+( ;[^-]+)? --hash=sha256:[0-9a-f]{64}", entry), (
            entry
        )
        assert "git+" not in entry
        assert " -" not in entry.replace(" --hash=", " HASH=")  # no options: -e, --index-url


@pytest.mark.parametrize(
    "spec",
    [
        f"agentgov==0.1.0 --hash=sha256:{HEX}",
        f"agentgov==1.2.3rc1 --hash=sha256:{HEX} --hash=sha256:{'b' * 64}",
        f"agentgov @ git+https://github.com/example/agentgov@{SHA}",
        f"agentgov @ git+https://git.example.com:8443/team/agentgov.git@{SHA}#subdirectory=py",
        f"agentgov @ https://example.com/dist/agentgov-0.1.0-py3-none-any.whl --hash=sha256:{HEX}",
    ],
)
def test_pins_of_one_verifiable_build_are_taken(spec: str) -> None:
    assert check_pin(spec) == spec


def test_spacing_and_the_name_s_case_are_normalised() -> None:
    assert check_pin(f"  AgentGov@git+https://github.com/o/agentgov@{SHA}\n") == (
        f"agentgov @ git+https://github.com/o/agentgov@{SHA}"
    )
    assert check_pin(f"agentgov==0.1.0   --hash=sha256:{HEX}") == (
        f"agentgov==0.1.0 --hash=sha256:{HEX}"
    )


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("", "it is empty"),
        ("agentgov==0.1.0", "add --hash=sha256:<64 hex>"),
        ("agentgov>=0.1", "a range or a bare name can move"),
        ("agentgov", "a range or a bare name can move"),
        (f"agentgov==0.* --hash=sha256:{HEX}", "'0.*' is not an exact version"),
        ("agentgov==0.1.0 --hash=sha256:abc", "64 lowercase hex"),
        (f"agentgov==0.1.0 --hash=md5:{HEX[:32]}", "64 lowercase hex"),
        (f"requests==2.0 --hash=sha256:{HEX}", "it must name agentgov"),
        (f"agentgov-evil==0.1.0 --hash=sha256:{HEX}", "it must name agentgov"),
        ("agentgov @ git+https://github.com/o/agentgov@main", "a branch or a tag can move"),
        ("agentgov @ git+https://github.com/o/agentgov", "a branch or a tag can move"),
        (f"agentgov @ git+ssh://git@github.com/o/agentgov@{SHA}", "over https"),
        (f"agentgov @ git+http://github.com/o/agentgov@{SHA}", "over https"),
        (f"agentgov @ git+https://me:tok@github.com/o/agentgov@{SHA}", "no credentials"),
        (f"agentgov @ git+https://github.com/o/agentgov@{SHA}?x=1", "characters a pin"),
        ("agentgov @ https://example.com/agentgov-0.1.0.whl", "add --hash=sha256"),
        (f"agentgov @ http://example.com/agentgov-0.1.0.whl --hash=sha256:{HEX}", "https"),
        (f"agentgov @ https://example.com/agentgov --hash=sha256:{HEX}", ".whl, .tar.gz"),
        (f"agentgov @ git+https://${{HOST}}/o/agentgov@{SHA}", "environment variables"),
        (
            f"agentgov==0.1.0 --hash=sha256:{HEX}\n--index-url https://evil.example/",
            "nothing else may follow",
        ),
    ],
)
def test_anything_else_is_refused_saying_why_and_what_to_give(spec: str, why: str) -> None:
    with pytest.raises(UsageError) as refused:
        check_pin(spec)
    message = str(refused.value)
    shown = spec.replace("//me:tok@", "//***@").replace("//git@", "//***@")
    assert message.startswith(f"--agentgov-pin {shown!r}: ")
    assert "tok@" not in message  # a token in the URL is never printed
    assert why in message
    assert "agentgov==X.Y.Z --hash=sha256:<64 hex>" in message  # the forms it takes


def test_a_git_install_pins_its_commit() -> None:
    # What pip writes for `pip install git+https://github.com/o/agentgov@v1`.
    direct_url = {
        "url": "https://github.com/o/agentgov",
        "vcs_info": {"vcs": "git", "commit_id": SHA, "requested_revision": "v1"},
    }
    assert pin_from_direct_url(direct_url, "0.1.0") == (
        f"agentgov @ git+https://github.com/o/agentgov@{SHA}"
    )
    direct_url["subdirectory"] = "python"
    assert pin_from_direct_url(direct_url, "0.1.0").endswith(f"@{SHA}#subdirectory=python")


def test_an_archive_install_pins_its_url_and_hash() -> None:
    url = "https://example.com/dist/agentgov-0.1.0-py3-none-any.whl"
    assert pin_from_direct_url(
        {"url": url, "archive_info": {"hashes": {"sha256": HEX}, "hash": f"sha256={HEX}"}},
        "0.1.0",
    ) == (f"agentgov @ {url} --hash=sha256:{HEX}")
    # The older form, a single "hash" key.
    assert pin_from_direct_url(
        {"url": url, "archive_info": {"hash": f"sha256={HEX}"}}, "0.1.0"
    ) == (f"agentgov @ {url} --hash=sha256:{HEX}")


@pytest.mark.parametrize(
    ("direct_url", "why"),
    [
        (None, "pass --agentgov-pin 'agentgov==0.1.0 --hash=sha256:"),
        ({"url": "file:///src/agentgov", "dir_info": {"editable": True}}, "local directory"),
        ({"url": "file:///src/agentgov", "dir_info": {}}, "local directory"),
        (
            {"url": "https://example.com/agentgov-0.1.0.whl", "archive_info": {}},
            "without a sha256 hash",
        ),
        (
            {"url": "https://hg.example.com/agentgov", "vcs_info": {"vcs": "hg", "commit_id": "1"}},
            "not a git commit",
        ),
        (
            {"url": "file:///src/agentgov", "vcs_info": {"vcs": "git", "commit_id": SHA}},
            "over https",
        ),
        (
            {
                "url": "https://me:tok@github.com/o/agentgov",
                "vcs_info": {"vcs": "git", "commit_id": SHA},
            },
            "no credentials",
        ),
        ({"vcs_info": {"vcs": "git", "commit_id": SHA}}, "names no URL"),
    ],
)
def test_an_install_ci_cannot_repeat_is_refused_saying_to_pass_a_pin(
    direct_url: dict[str, object] | None, why: str
) -> None:
    with pytest.raises(UsageError) as refused:
        pin_from_direct_url(direct_url, "0.1.0")
    assert why in str(refused.value)
    assert "--agentgov-pin" in str(refused.value)
    assert "tok@" not in str(refused.value)
