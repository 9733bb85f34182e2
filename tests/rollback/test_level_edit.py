"""set_levels changes the level values and not one other byte, whatever the layout: a
property test over generated policies (flow and block classes, comments that mention
levels, quotes, ids and numbers, indentation, CRLF, a BOM, non-ASCII text), and the
values that cannot be edited in place refused with what to do."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgov.errors import UsageError
from agentgov.policy.level_edit import set_levels
from agentgov.policy.load import load_bytes
from agentgov.policy.model import Level

HEAD = "version: 1\ntask_classes:\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("  default: {level: 3}\n", "  default: {level: 2}\n"),
        ("  default: { level:   3 }\n", "  default: { level:   2 }\n"),
        ("  default: {level: execute-gated}\n", "  default: {level: propose}\n"),
        (
            "  default:\n    level: 'execute-gated'   # why\n",
            "  default:\n    level: 'propose'   # why\n",
        ),
        ('  default:\n    level: "execute-gated"\n', '  default:\n    level: "propose"\n'),
        ("  default: {level: !!int 3}\n", "  default: {level: !!int 2}\n"),
        ("  default: {level: &mine 3}\n", "  default: {level: &mine 2}\n"),
    ],
)
def test_the_value_keeps_its_style(before: str, after: str) -> None:
    raw = (HEAD + before).encode()
    assert set_levels(raw, {"default": Level.PROPOSE}) == (HEAD + after).encode()


def test_crlf_and_a_bom_are_kept() -> None:
    raw = b"\xef\xbb\xbfversion: 1\r\ntask_classes:\r\n  default:\r\n    level: 4\r\n"
    edited = set_levels(raw, {"default": Level.EXECUTE_GATED})
    assert edited == raw.replace(b"level: 4", b"level: 3")


def test_nothing_to_set_is_the_same_bytes() -> None:
    raw = (HEAD + "  default: {level: 3}  # keep\n").encode()
    assert set_levels(raw, {}) == raw


@pytest.mark.parametrize(
    ("policy", "name", "message"),
    [
        (HEAD + "  default: {level: 3}\n", "docs", "task_classes has no class 'docs'"),
        (
            HEAD + "  default: {level: 3}\n  docs: {level: *l, paths: [d/**]}\n",
            "docs",
            "does not load",  # an alias of nothing: the file is not valid to begin with
        ),
        (
            HEAD + "  default: {level: &l 3}\n  docs: {level: *l, paths: [d/**]}\n",
            "docs",
            "task_classes.docs.level is an alias of a value written elsewhere",
        ),
        (
            HEAD + "  default: {level: &l 3}\n  docs: {level: *l, paths: [d/**]}\n",
            "default",
            "would change more than that (a value shared with another class",
        ),
        (
            "version: 1\ntask_classes: {default: {level: 3}}\nrollback: [\n",
            "default",
            "does not load",
        ),
    ],
)
def test_what_cannot_be_edited_in_place_is_refused(policy: str, name: str, message: str) -> None:
    with pytest.raises(UsageError, match=r"set it by hand|fix it first|no class") as raised:
        set_levels(policy.encode(), {name: Level.SUGGEST}, "p.yaml")
    assert message in str(raised.value)
    assert str(raised.value).startswith("p.yaml")


# The generated policies: text segments, and slots where a class's level value goes.


@dataclass(frozen=True)
class Slot:
    task_class: str


@dataclass(frozen=True)
class Written:
    """How a class writes its level: as a number or an id, and the quote around it."""

    as_id: bool
    quote: str

    def text(self, level: Level) -> str:
        return f"{self.quote}{level.id if self.as_id else level.value}{self.quote}"


@dataclass(frozen=True)
class Generated:
    segments: tuple[str | Slot, ...]
    written: dict[str, Written]
    levels: dict[str, Level]
    crlf: bool
    bom: bool

    def render(self, levels: dict[str, Level]) -> tuple[bytes, dict[str, tuple[int, int]]]:
        """The file's bytes with ``levels``, and each slot's byte span in them."""
        out = b"\xef\xbb\xbf" if self.bom else b""
        spans: dict[str, tuple[int, int]] = {}
        for segment in self.segments:
            if isinstance(segment, Slot):
                text = self.written[segment.task_class].text(levels[segment.task_class])
            else:
                text = segment.replace("\n", "\r\n") if self.crlf else segment
            data = text.encode("utf-8")
            if isinstance(segment, Slot):
                spans[segment.task_class] = (len(out), len(out) + len(data))
            out += data
        return out, spans


COMMENTS = st.sampled_from(
    ["", "  # level: 5", "   # → execute-sandboxed", "  # é 'quoted' level: 4", " #x"]
)
NAMES = ("docs", "tests", "infra")


@st.composite
def policies(draw: st.DrawFn) -> Generated:
    others = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
    names = draw(st.permutations(["default", *others]))
    indent = " " * draw(st.sampled_from([2, 4]))
    inner = indent + " " * draw(st.sampled_from([2, 4]))
    segments: list[str | Slot] = []
    top = draw(st.sampled_from(["", "# agentgov policy\n", "# level: 1 everywhere?\n\n"]))
    version_first = draw(st.booleans())
    segments.append(top + ("version: 1\n" if version_first else ""))
    segments.append(f"task_classes:{draw(COMMENTS)}\n")
    written: dict[str, Written] = {}
    levels: dict[str, Level] = {}
    for name in names:
        as_id = draw(st.booleans())
        written[name] = Written(as_id, draw(st.sampled_from(["", "'", '"'])) if as_id else "")
        levels[name] = draw(st.sampled_from(list(Level)))
        paths = "" if name == "default" else f'["{name}/**"]'
        level_first = draw(st.booleans())
        if draw(st.booleans()):  # flow
            space = draw(st.sampled_from(["", " "]))
            parts: list[str | Slot] = ["level: ", Slot(name)]
            rest = [f"paths: {paths}"] if paths else []
            if draw(st.booleans()):
                rest.append("description: 'level: 4, said the note'")
            pieces = (
                [*parts, *(f", {r}" for r in rest)]
                if level_first or not rest
                else [
                    ", ".join(rest) + ", ",
                    *parts,
                ]
            )
            segments.append(f"{indent}{name}: {{{space}")
            segments.extend(pieces)
            segments.append(f"{space}}}{draw(COMMENTS)}\n")
        else:  # block
            segments.append(f"{indent}{name}:{draw(COMMENTS)}\n")
            level_lines: list[str | Slot] = [f"{inner}level: ", Slot(name), f"{draw(COMMENTS)}\n"]
            rest_lines: list[str | Slot] = []
            if paths:
                if draw(st.booleans()):
                    rest_lines.append(f"{inner}paths: {paths}\n")
                else:
                    rest_lines.append(f"{inner}paths:\n{inner}  - {name}/**\n")
            if draw(st.booleans()):
                rest_lines.append(f'{inner}description: "level: 2 → {name}"\n')
            segments.extend(
                [*level_lines, *rest_lines] if level_first else [*rest_lines, *level_lines]
            )
        segments.append(draw(st.sampled_from(["", f"{indent}# between classes\n", "\n"])))
    if not version_first:
        segments.append("version: 1\n")
    if draw(st.booleans()):
        segments.append(
            "ladder:\n  propose:\n    - {metric: deny_rate, op: '<=', threshold: 0.2, "
            "window: 14d, min_samples: 20}  # level: 2\n"
        )
    return Generated(tuple(segments), written, levels, draw(st.booleans()), draw(st.booleans()))


@settings(max_examples=200, deadline=None)
@given(
    generated=policies(),
    data=st.data(),
)
def test_only_the_level_bytes_change(generated: Generated, data: st.DataObject) -> None:
    names = list(generated.levels)
    targets = data.draw(st.lists(st.sampled_from(names), unique=True, min_size=1))
    wanted = {name: data.draw(st.sampled_from(list(Level))) for name in targets}
    raw, spans = generated.render(generated.levels)
    original = load_bytes(raw, "p")
    assert {c.name: c.level for c in original.task_classes} == generated.levels

    edited = set_levels(raw, wanted, "p")

    expected, _ = generated.render({**generated.levels, **wanted})
    assert edited == expected
    changed = [
        (i1, i2)
        for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, raw, edited, False).get_opcodes()
        if tag != "equal"
    ]
    for i1, i2 in changed:  # every changed span of the original lies inside a target's value
        assert any(spans[n][0] <= i1 and i2 <= spans[n][1] for n in targets), (i1, i2, raw)
    moved = {n for n in targets if wanted[n] is not generated.levels[n]}
    for name in moved:  # and every target whose level moved has a change inside its value
        assert any(spans[name][0] <= i1 <= spans[name][1] for i1, _ in changed)
    after = load_bytes(edited, "p")
    assert {c.name: c.level for c in after.task_classes} == {**generated.levels, **wanted}
