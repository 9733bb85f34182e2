"""The compiled cache lets hot paths skip YAML and JSON Schema entirely."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agentgov import __version__
from agentgov.policy import cache
from agentgov.policy.load import load_bytes, template_bytes


def test_second_load_is_served_from_cache_without_yaml_or_jsonschema(tmp_path: Path) -> None:
    raw = template_bytes("default")
    load_bytes(raw, "p.yaml", tmp_path)
    policy_file, cache_dir = str(tmp_path / "p.yaml"), str(tmp_path)
    script = (
        "import sys; from pathlib import Path; from agentgov.policy.load import load_bytes; "
        f"load_bytes(Path({policy_file!r}).read_bytes(), 'p', Path({cache_dir!r})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ruamel', 'jsonschema')))"
    )
    (tmp_path / "p.yaml").write_bytes(raw)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_cache_entry_records_version_and_data(tmp_path: Path) -> None:
    raw = template_bytes("strict")
    policy = load_bytes(raw, "p.yaml", tmp_path)
    entry = json.loads((tmp_path / f"{cache.content_key(raw)}.json").read_text())
    assert entry["agentgov"] == __version__
    assert load_bytes(raw, "p.yaml", tmp_path) == policy


def test_stale_or_corrupt_entries_are_ignored(tmp_path: Path) -> None:
    raw = template_bytes("default")
    entry = tmp_path / f"{cache.content_key(raw)}.json"
    entry.write_text("{not json")
    assert cache.lookup(tmp_path, raw) is None
    entry.write_text(json.dumps({"agentgov": "0.0.0-old", "policy": {}}))
    assert cache.lookup(tmp_path, raw) is None
    load_bytes(raw, "p.yaml", tmp_path)
    assert cache.lookup(tmp_path, raw) is not None


def test_unwritable_cache_costs_speed_not_correctness(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    policy = load_bytes(template_bytes("default"), "p.yaml", blocker / "cache")
    assert policy.task_class("default").name == "default"
