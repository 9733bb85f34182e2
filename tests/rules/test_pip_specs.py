"""pip requirement specs: the everyday spellings read without ``packaging`` agree with it."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement

from agentgov.evaluators.rules.supply_chain.pip_specs import plain_requirement_pin, specifier_pin
from agentgov.policy.model import Strictness


@pytest.mark.parametrize(
    "text",
    [
        "requests",
        "requests==2.32.3",
        "requests===2.32.3",
        "Django>=4.2,<5",
        "django<5,>=4.2",
        "numpy~=1.26",
        "numpy==1.*",
        "numpy!=1.25.0",
        "numpy!=1.*,>=1.20",
        "pkg.name_with-dots==1.0",
        "a==0",
        "x>1",
        "x<=2.0.0.1",
    ],
)
def test_plain_reading_agrees_with_packaging(text: str) -> None:
    requirement = Requirement(text)
    assert plain_requirement_pin(text) == (
        requirement.name,
        specifier_pin(requirement.specifier),
    )


@pytest.mark.parametrize(
    "text",
    [
        "requests[socks]==2.32.3",
        "requests == 2.32.3",
        "requests==2.32.3; python_version<'3.11'",
        "requests==2.32.0rc1",
        "requests>=2.*",
        "numpy~=1",
        "requests===2.*",
        "requests==",
        "-requests",
        "requests@https://x.example/r.whl",
    ],
)
def test_other_spellings_are_left_to_packaging(text: str) -> None:
    assert plain_requirement_pin(text) is None


def test_a_bare_name_is_unpinned() -> None:
    assert plain_requirement_pin("left-pad") == ("left-pad", Strictness.ANY)
