"""Policy examples as a spec: every file in valid/ loads; every file in invalid/ fails with
exactly the lines in its .expected file (``{file}`` stands for the path). Dropping a pair of
files into invalid/ adds a case."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agentgov.errors import PolicyError
from agentgov.policy.load import TEMPLATES, load_path, load_template, validate_bytes

HERE = Path(__file__).parent
VALID = sorted((HERE / "valid").glob("*.yaml"))
INVALID = sorted((HERE / "invalid").glob("*.yaml"))


def test_there_are_enough_invalid_examples() -> None:
    assert len(INVALID) >= 25


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_examples_load(path: Path) -> None:
    policy = load_path(path)
    assert policy.task_classes[0].name == "default"


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_load(name: str) -> None:
    policy = load_template(name)
    assert {tc.name for tc in policy.task_classes} >= {"default"}


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_examples_fail_with_exact_message(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text().replace("{file}", "x.yaml")
    with pytest.raises(PolicyError) as caught:
        validate_bytes(path.read_bytes(), "x.yaml")
    assert "\n".join(caught.value.problems) + "\n" == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "x.yaml:1:1: file is binary (it contains NUL bytes), not YAML",
        ),
        (
            b"version: 1\n\xff\xfe task",
            "x.yaml:2:1: file is not UTF-8 text (byte 11); save it as UTF-8",
        ),
        (
            b"version: 1\n" + b"#" * (50 * 1024 * 1024),
            "x.yaml:1:1: file is larger than 1 MiB, the most a policy may be "
            "(is this the right file?)",
        ),
        (b"   \n\n", "x.yaml:1:1: file is empty; start from a template with `agentgov init`"),
        (b"[1, 2", "x.yaml:1:6: invalid YAML: expected ',' or ']', but got '<stream end>'"),
        (
            b"&a [*a]\n",
            "x.yaml:1:5: alias *a is used inside the value it names (a recursive alias); "
            "a policy cannot contain itself, so write the value out",
        ),
    ],
    ids=["binary", "not-utf8", "50MB", "blank", "truncated", "self-alias"],
)
def test_unreadable_bytes_get_one_clear_line(raw: bytes, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        validate_bytes(raw, "x.yaml")
    assert caught.value.problems == (message,)


def test_cli_reports_without_traceback_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_bytes((HERE / "invalid" / "level-out-of-range.yaml").read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "agentgov", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"{bad}:7:12: task_classes.infra.level: 7 is not a level "
        "(1-5 or suggest, propose, execute-gated, execute-sandboxed, autonomous)\n"
    )
    assert "Traceback" not in done.stderr
