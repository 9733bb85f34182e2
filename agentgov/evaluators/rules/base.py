"""What every rule is: an id, a default class, a pure ``evaluate`` and its documentation.

A rule module defines one ``RULE = Rule(...)``; ``registry.py`` lists them all by hand.
The rule id is the module name, the YAML key under ``rules:``, the audit field, the SARIF
ruleId and the docs anchor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass, Policy


def _no_files(path: str) -> str | None:
    return None


@dataclass(frozen=True)
class ShellContext:
    """What a rule may know besides the command; adapters gather it, rules only read it.

    - ``cwd``: where the command starts (absolute).
    - ``project_root``: the repository's top level, or None outside a repository.
    - ``home``: the user's home directory (for ``~`` and credential paths).
    - ``branch``: the current git branch, or None (detached, or no repository).
    - ``env``: environment variables that can change a verdict (production markers such as
      ``RAILS_ENV``, ``KUBECONFIG``...), as sorted pairs.
    - ``read_text``: reads a file named by the command (``pip install -r FILE``); returns
      None when it cannot. This is the only I/O a rule may cause.
    - ``repositories``: the root of every repository the command touches (the adapter
      found them from the paths it writes, whatever the cwd); ``guard_roots`` adds the
      project's.
    """

    policy: Policy
    cwd: str
    home: str
    project_root: str | None = None
    branch: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    read_text: Callable[[str], str | None] = field(default=_no_files, compare=False)
    repositories: tuple[str, ...] = ()

    @property
    def guard_roots(self) -> tuple[str, ...]:
        """The repositories whose guard files must not be written: the project's and those
        of every path the command touches."""
        if self.project_root is None:
            return self.repositories
        if not self.repositories or self.repositories == (self.project_root,):
            return (self.project_root,)
        return tuple(dict.fromkeys((self.project_root, *self.repositories)))

    def getenv(self, name: str) -> str | None:
        for key, value in self.env:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Hit:
    """One rule matched one fragment of the command."""

    rule: str
    action_class: ActionClass
    fragment: str
    message: str
    remediation: str


Evaluate = Callable[[Analysis, ShellContext], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    """A rule of the catalogue. ``evaluate`` is pure: no I/O beyond ``ctx.read_text``."""

    id: str
    action_class: ActionClass
    summary: str
    example: str
    evaluate: Evaluate = field(compare=False)
    can_disable: bool = True

    def hit(self, fragment: str, message: str, remediation: str) -> Hit:
        return Hit(self.id, self.action_class, fragment, message, remediation)


_T = TypeVar("_T")
_P = ParamSpec("_P")


def once_per_analysis(read: Callable[_P, _T]) -> Callable[_P, _T]:
    """Share a reading of the analysis between the rules that need it (git commands, push
    plans, the infrastructure operations three rules judge): the engine runs the rules one
    after another on the same analysis, so the last answer is kept, keyed by the identity of
    the arguments (hashing a whole analysis would cost more than reading it again).
    Invisible to callers: the answer depends on the arguments alone, and must not be
    mutated. Positional arguments only."""
    # The kept arguments stay referenced, so their ids cannot be reused while they are kept.
    last: list[tuple[tuple[int, ...], tuple[object, ...], _T]] = []

    def shared(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        key = tuple(map(id, args))
        if last:
            known_key, _, known = last[0]  # one read: never half of two entries
            if known_key == key:
                return known
        answer = read(*args, **kwargs)
        last[:] = [(key, tuple(args), answer)]
        return answer

    shared.__doc__ = read.__doc__
    return shared
