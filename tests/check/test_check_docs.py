"""Every check rule id is an anchor in docs/ci.md, where its help URI points."""

from __future__ import annotations

from pathlib import Path

from agentgov.gate.rules import CHECK_RULES, DOCS_URL

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_check_rule_has_its_anchor() -> None:
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    for rule in CHECK_RULES.values():
        assert f'<a id="{rule.id}"></a>' in text, rule.id
        assert rule.help_uri == f"{DOCS_URL}ci.md#{rule.id}"


def test_every_anchor_on_the_page_is_a_rule_or_a_section() -> None:
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    anchors = [part.split('"', 1)[0] for part in text.split('<a id="')[1:]]
    check_anchors = {a for a in anchors if a.startswith("check.")}
    assert check_anchors == set(CHECK_RULES)
