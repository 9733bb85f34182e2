"""The shell analyser: every command a shell string would run, as frozen values.

``analyze`` parses with tree-sitter-bash and walks the tree once, keeping what a shell would
know at each point (the working directory, static variables) in a ``Scope``. Subshells,
pipeline stages, substitutions and background jobs get a copy, so a ``cd`` there does not
leak out. Strings that are themselves scripts (``bash -c``, ``eval``, heredocs fed to a
shell, ``watch``) are re-parsed to a bounded depth; ``find -exec`` and wrappers such as
``sudo`` or ``xargs`` are unwrapped (see ``wrappers.py`` and ``launchers.py``).

Pure: no I/O, no globals but the lazily built parser. Limits keep pathological input
(100 KB strings, thousands of nested ``$(``) fast; hitting one sets ``truncated``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from agentgov.evaluators.shell import launchers
from agentgov.evaluators.shell.model import (
    Analysis,
    Flow,
    FlowKind,
    Origin,
    Redirect,
    SimpleCommand,
    Word,
)
from agentgov.evaluators.shell.parse import Heredoc, Parsed, parse, problems
from agentgov.evaluators.shell.words import SUBSTITUTIONS, Scope, WordReader, new_word
from agentgov.evaluators.shell.wrappers import WRAPPERS, program_name, unwrap

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tree_sitter import Node

MAX_SOURCE_CHARS = 64 * 1024
"""Characters analysed; the rest of a longer source is ignored and ``truncated`` set."""
MAX_REPARSE_DEPTH = 8
"""How many strings-within-strings (``bash -c``, ``eval``, heredocs) are re-parsed."""
MAX_NESTING = 48
"""Syntactic nesting walked within one parse (substitutions, groups, bodies)."""
MAX_REPARSED_CHARS = 4 * MAX_SOURCE_CHARS
"""Characters re-parsed in total: strings within strings cannot multiply the work."""
MAX_COMMANDS = 5_000
MAX_FLOWS = 20_000

_new = object.__new__
# Scope key of the file `exec N< FILE` opened (not a valid variable name, so no clash).
_DESCRIPTOR = "&"
_UNWRAPPABLE = frozenset(WRAPPERS) | {"env", "busybox"}
_DIRECTORY_CHANGES = frozenset({"cd", "pushd", "popd"})
_WRITE_OPERATORS = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})
_STATEMENT_SEPARATORS = frozenset({";", ";;", "&", "\n"})
_GIT_OPTIONS_WITH_VALUE = frozenset(
    {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--exec-path"}
)
_SCRIPT_RUNNERS = frozenset({"echo", "printf"})
_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
_ESCAPES_ONLY = re.compile(rb"(?:\\[\s\S])+")


def analyze(source: str, *, cwd: str = "/", home: str = "/root") -> Analysis:
    """Analyse ``source`` as a bash script starting in ``cwd`` with ``$HOME`` = ``home``.

    Every simple command that would run is returned once, in execution order, with its
    wrappers removed, its words evaluated as far as static analysis allows, the directory
    it runs in, and the data flows between commands (pipes, substitutions, files).
    Never raises on any input.
    """
    walker = _Walker(home)
    text = source
    if len(text) > MAX_SOURCE_CHARS:
        text = text[:MAX_SOURCE_CHARS]
        walker.truncate(f"input longer than {MAX_SOURCE_CHARS} characters: analysed the start")
    parsed = parse(text)
    walker.note_problems(parsed)
    scope = Scope(_normalise(cwd) if cwd else None, {"HOME": home})
    frame = _Frame(parsed, Origin.TOP, 0, None, (), background=False)
    walker.visit(parsed.root, scope, frame, 0)
    # Analysis(...) without its frozen __init__, as for SimpleCommand in _Walker.emit.
    analysis = _new(Analysis)
    fields = analysis.__dict__
    fields["source"] = source
    fields["commands"] = tuple(walker.commands)
    fields["flows"] = tuple(walker.flows)
    fields["truncated"] = walker.truncated
    fields["unparsed"] = tuple(walker.unparsed)
    fields["trace"] = tuple(walker.trace)
    return analysis


class _Frame:
    """Where the walk is: which parse, which origin, under which launcher."""

    __slots__ = ("background", "depth", "heredocs", "origin", "parent", "src", "wrappers")

    def __init__(
        self,
        parsed: Parsed,
        origin: Origin,
        depth: int,
        parent: int | None,
        wrappers: tuple[str, ...],
        *,
        background: bool,
    ) -> None:
        self.src = parsed.src
        self.heredocs: dict[int, Heredoc] = parsed.heredocs
        self.origin = origin
        self.depth = depth
        self.parent = parent
        self.wrappers = wrappers
        self.background = background

    def derive(self, origin: Origin, *, background: bool | None = None) -> _Frame:
        frame = object.__new__(_Frame)
        frame.src = self.src
        frame.heredocs = self.heredocs
        frame.origin = origin
        frame.depth = self.depth
        frame.parent = self.parent
        frame.wrappers = self.wrappers
        frame.background = self.background if background is None else background
        return frame

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")


# A pending flow of the command being built: (other command, kind, whether data goes from
# the command being built to the other one, as with `>(sink)`).
_Pending = tuple[int, FlowKind, bool]


class _Walker:
    def __init__(self, home: str) -> None:
        self.home = home
        self.commands: list[SimpleCommand] = []
        self.flows: list[Flow] = []
        self._flow_keys: set[tuple[int, int, FlowKind]] = set()
        self.unparsed: list[str] = []
        self.trace: list[str] = []
        self.truncated = False
        # Files written so far (normalised path -> writing command), for FILE flows.
        self.writes: dict[str, int] = {}
        self.reparse_budget = MAX_REPARSED_CHARS

    # -- bookkeeping -------------------------------------------------------------------

    def truncate(self, why: str) -> None:
        if not self.truncated:
            self.trace.append(f"truncated: {why}")
        self.truncated = True

    def note_problems(self, parsed: Parsed) -> None:
        self.unparsed.extend(parsed.problems)
        if parsed.root.has_error:
            found = problems(parsed.root, parsed.src)
            self.unparsed.extend(found)
            for fragment in found[:3]:
                self.trace.append(f"could not parse: {fragment[:80]!r}")

    def flow(self, source: int, sink: int, kind: FlowKind) -> None:
        key = (source, sink, kind)
        if source == sink or key in self._flow_keys:
            return
        if len(self.flows) >= MAX_FLOWS:
            self.truncate(f"more than {MAX_FLOWS} data flows")
            return
        self._flow_keys.add(key)
        flow = _new(Flow)  # Flow(source, sink, kind) without the frozen __init__
        fields = flow.__dict__
        fields["source"] = source
        fields["sink"] = sink
        fields["kind"] = kind
        self.flows.append(flow)

    # -- statements --------------------------------------------------------------------

    def visit(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        """Walk one statement-level node; return the commands connected to its stdio."""
        if nest > MAX_NESTING:
            self.truncate(f"nesting deeper than {MAX_NESTING}")
            return []
        handler = _HANDLERS.get(node.type)
        if handler is None:
            return self.generic(node, scope, frame, nest)
        return handler(self, node, scope, frame, nest + 1)

    def sequence(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        """A list of statements run one after another (program, ``{ }``, bodies)."""
        connected: list[int] = []
        children = node.children
        for position, child in enumerate(children):
            if not child.is_named:
                continue
            following = children[position + 1] if position + 1 < len(children) else None
            if following is not None and following.type == "&":
                # A background job runs in a subshell: nothing it changes leaks out.
                connected += self.visit(
                    child, scope.copy(), frame.derive(frame.origin, background=True), nest
                )
            else:
                connected += self.visit(child, scope, frame, nest)
        return connected

    def subshell(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        return self.sequence(node, scope.copy(), frame, nest)

    def function(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        # The body runs whenever the function is called; judge it where it is defined.
        body = node.child_by_field_name("body")
        if body is not None:
            self.visit(body, scope.copy(), frame, nest)
        return []

    def and_or(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        """``a && b || c``: left-nested lists are flattened so long chains need no
        recursion. The command after ``||`` runs when the one before failed, so it sees
        the scope from before that one (a failed ``cd`` changed nothing)."""
        operands: list[Node] = []
        operators: list[str] = []
        current = node
        while current.type == "list" and current.child_count >= 3:
            children = current.children
            operands.append(children[-1])
            operators.append(children[-2].type)
            current = children[0]
        operands.append(current)
        operands.reverse()
        operators.reverse()
        connected: list[int] = []
        before = scope.copy()
        for position, operand in enumerate(operands):
            if position and operators[position - 1] == "||":
                connected += self.visit(operand, before.copy(), frame, nest)
                continue
            before = scope.copy()
            connected += self.visit(operand, scope, frame, nest)
        return connected

    def pipeline(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        stages = self.stages(node, scope, frame, nest)
        return [index for stage in stages for index in stage]

    def stages(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[list[int]]:
        """Each stage runs in its own subshell; data flows from one stage to the next."""
        stages: list[list[int]] = []
        for child in node.children:
            if not child.is_named:
                continue
            stage = self.visit(child, scope.copy(), frame, nest)
            if stages:
                for source in stages[-1]:
                    for sink in stage:
                        self.flow(source, sink, FlowKind.PIPE)
                self.script_through_pipe(stages[-1], stage, scope, frame, nest)
            stages.append(stage)
        return stages

    def redirected(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        body = node.child_by_field_name("body")
        redirect_nodes = [child for child in node.children if child.is_named and child != body]
        if body is None:
            return self.command(node, scope, frame, nest)
        if body.type == "command":
            return self.command(
                body, scope, frame, nest, extra_redirects=redirect_nodes, outer=node
            )
        if body.type == "pipeline":
            # tree-sitter reads `a | b > f` as `(a | b) > f`; the shell gives `> f` to b.
            stages = self.stages(body, scope, frame, nest)
            targets = stages[-1] if stages else []
            connected = [index for stage in stages for index in stage]
        else:
            connected = self.visit(body, scope, frame, nest)
            targets = connected
        reader = WordReader(frame.src, scope)
        redirects, pending = self.redirects(redirect_nodes, reader, scope, frame, nest)
        for index in targets:
            command = self.commands[index]
            self.commands[index] = replace(command, redirects=command.redirects + redirects)
            self.add_pending(index, pending)
            self.note_writes(index, redirects, command.cwd)
        return connected

    def if_statement(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        """Conditions run in order; each branch gets a copy and the copies are merged."""
        outcomes: list[Scope] = []
        connected = self.branch(node, scope, frame, nest, outcomes)
        if not any(child.type == "else_clause" for child in node.children):
            outcomes.append(scope.copy())
        _merge(scope, outcomes)
        return connected

    def branch(
        self, node: Node, scope: Scope, frame: _Frame, nest: int, outcomes: list[Scope]
    ) -> list[int]:
        """Walk an ``if``/``elif``/``else`` part: its condition in ``scope``, its body in a
        copy appended to ``outcomes``."""
        connected: list[int] = []
        body: Scope | None = scope if node.type == "else_clause" else None
        if body is not None:
            outcomes.append(body)
        for child in node.children:
            kind = child.type
            if kind == "then":
                body = scope.copy()
                outcomes.append(body)
            elif kind in ("elif_clause", "else_clause"):
                # Later conditions run after the earlier ones failed: start from the scope
                # after this part's condition, not from inside its body.
                connected += self.branch(child, scope.copy(), frame, nest, outcomes)
            elif child.is_named:
                connected += self.visit(child, body if body is not None else scope, frame, nest)
        return connected

    def loop(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        """Loop bodies may run zero or more times: the body gets a copy, merged back."""
        connected: list[int] = []
        body_scope = scope.copy()
        if node.type == "for_statement":
            variable = node.child_by_field_name("variable")
            reader = WordReader(frame.src, scope)
            for child in node.children_by_field_name("value"):
                reader.read(child)
            sources = self.nested(reader, scope, frame, nest)
            if variable is not None:
                name = frame.text(variable)
                body_scope.forget(name)
                if sources:
                    body_scope.taint_with(name, tuple(sources))
        for child in node.children:
            if not child.is_named or child.type == "variable_name":
                continue
            if node.type == "for_statement" and child.type != "do_group":
                continue
            if child.type == "do_group":
                connected += self.sequence(child, body_scope, frame, nest)
            elif node.type == "c_style_for_statement":
                # Arithmetic (`i=$(a)` there is not an assignment statement).
                connected += self.generic(child, body_scope, frame, nest)
            else:
                connected += self.visit(child, body_scope, frame, nest)
        _merge(scope, [scope.copy(), body_scope])
        return connected

    def case(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        """Each ``case`` item is a branch; without a ``*)`` item none may run."""
        reader = WordReader(frame.src, scope)
        value = node.child_by_field_name("value")
        if value is not None:
            reader.read(value)
            self.nested(reader, scope, frame, nest)
        connected: list[int] = []
        outcomes: list[Scope] = []
        has_default = False
        for item in node.children:
            if item.type != "case_item":
                continue
            branch = scope.copy()
            in_body = False
            for part in item.children:
                if part.type == ")":
                    in_body = True
                elif not in_body:
                    has_default = has_default or part.text == b"*"
                elif part.is_named:
                    connected += self.visit(part, branch, frame, nest)
            outcomes.append(branch)
        if not has_default:
            outcomes.append(scope.copy())
        _merge(scope, outcomes)
        return connected

    def negated(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        return self.sequence(node, scope, frame, nest)

    def generic(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        """Any other node (tests, arithmetic, ERROR...): find the statements and
        substitutions inside it without recursing through the nodes in between."""
        connected: list[int] = []
        reader = WordReader(frame.src, scope)
        stack = list(reversed(node.children))
        while stack:
            child = stack.pop()
            kind = child.type
            if kind in SUBSTITUTIONS:
                reader.nested.append(child)
            elif kind in _HANDLERS:
                connected += self.visit(child, scope, frame, nest)
            elif kind == "heredoc_body":
                continue
            else:
                stack.extend(reversed(child.children))
        if reader.nested:
            self.nested(reader, scope, frame, nest)
        return connected

    def assignments_only(self, node: Node, scope: Scope, frame: _Frame, nest: int) -> list[int]:
        return self.command(node, scope, frame, nest)

    # -- commands ----------------------------------------------------------------------

    def command(
        self,
        node: Node,
        scope: Scope,
        frame: _Frame,
        nest: int,
        *,
        extra_redirects: Sequence[Node] = (),
        outer: Node | None = None,
    ) -> list[int]:
        """One simple command (or a declaration, ``unset``, or a bare assignment)."""
        reader = WordReader(frame.src, scope)
        assignments: list[tuple[str, Word]] = []
        words: list[Word] = []
        redirect_nodes: list[Node] = list(extra_redirects)
        kind = node.type
        declaration = kind in ("declaration_command", "unset_command")
        if kind in ("variable_assignment", "variable_assignments"):
            children = [node] if kind == "variable_assignment" else node.children
        else:
            children = node.children
        word_nodes: list[Node] = []
        for child in children:
            child_kind = child.type
            if child_kind == "variable_assignment":
                assignment = self.assignment(child, reader, frame)
                assignments.append(assignment)
                if declaration:
                    words.append(_assignment_word(assignment, frame.text(child)))
            elif child_kind == "command_name":
                word_nodes += child.children
            elif child_kind in _REDIRECTS:
                redirect_nodes.append(child)
            elif child.is_named:
                if child_kind != "comment":
                    word_nodes.append(child)
            elif child_kind[:1] in ("$", "\\"):
                word_nodes.append(child)  # `\$`, or the `$` of `$"..."`
            elif declaration and not words:
                words.append(Word(child_kind, child_kind))  # the export/unset keyword
        if word_nodes:
            for group in _word_groups(word_nodes, frame.src):
                words += reader.read(group[0]) if len(group) == 1 else reader.read_joined(group)
        pending: list[_Pending] = []
        sources: list[int] = []
        if reader.nested or reader.references:
            sources = self.nested(reader, scope, frame, nest, pending=pending)
        redirects: tuple[Redirect, ...] = ()
        if redirect_nodes:
            redirects, redirect_pending = self.redirects(redirect_nodes, reader, scope, frame, nest)
            pending += redirect_pending
        text = frame.text(outer if outer is not None else node)
        if not words:
            if not assignments and not redirects:
                return []
            # A statement without a program behaves like the no-op `:`.
            for name, value in assignments:
                scope.assign(name, value, tuple(sources))
            words = [Word(":", "")]
            return self.emit(
                words,
                scope,
                frame,
                nest,
                text=text,
                assignments=tuple(assignments),
                redirects=redirects,
                pending=pending,
            )
        if kind == "declaration_command":
            for name, value in assignments:
                scope.assign(name, value, tuple(sources))
        elif kind == "unset_command":
            for word in words[1:]:
                scope.forget(word.value)
        return self.emit(
            words,
            scope,
            frame,
            nest,
            text=text,
            assignments=tuple(assignments),
            redirects=redirects,
            pending=pending,
        )

    def assignment(self, node: Node, reader: WordReader, frame: _Frame) -> tuple[str, Word]:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        name = frame.text(name_node) if name_node is not None else ""
        if name_node is not None and name_node.type == "subscript":
            name = frame.text(name_node).partition("[")[0]
            value = reader.read_one(value_node) if value_node is not None else Word("", "")
            return name, Word(value.value, value.raw, False, value.glob)
        value = reader.read_one(value_node) if value_node is not None else Word("", "")
        if any(child.type == "+=" for child in node.children):
            known = reader.scope.lookup(name)
            if known is None or not value.static:
                value = Word(value.value, value.raw, False, value.glob)
            else:
                value = Word(known + value.value, value.raw, True, value.glob)
        return name, value

    def emit(
        self,
        argv: list[Word],
        scope: Scope,
        frame: _Frame,
        nest: int,
        *,
        text: str,
        assignments: tuple[tuple[str, Word], ...] = (),
        redirects: tuple[Redirect, ...] = (),
        pending: Sequence[_Pending] = (),
        own_cwd: bool = False,
        cwd: str | None = None,
    ) -> list[int]:
        """Unwrap, record and follow one command (in the scope's cwd unless ``own_cwd``)."""
        if len(self.commands) >= MAX_COMMANDS:
            self.truncate(f"more than {MAX_COMMANDS} commands")
            return []
        directory = cwd if own_cwd else scope.cwd
        wrappers = frame.wrappers
        origin = frame.origin
        unsets: tuple[str, ...] = ()
        name = program_name(argv[0])
        if name in _UNWRAPPABLE:
            unwrapped = unwrap(argv)
            if unwrapped.wrappers:
                argv = unwrapped.argv
                name = program_name(argv[0])
                wrappers = wrappers + tuple(unwrapped.wrappers)
                assignments = assignments + tuple(unwrapped.assignments)
                unsets = tuple(unwrapped.unsets)
                self.trace.extend(unwrapped.notes)
                if unwrapped.exec_origin:
                    origin = Origin.EXEC
                for word in unwrapped.chdir:
                    directory = _directory(directory, word)
                    self.trace.append(f"{wrappers[-1]} changes directory -> {directory}")
        if name == "git":
            directory = self.git_directory(argv, directory)
        index = len(self.commands)
        # SimpleCommand(...) without its frozen __init__ (2 us of a 10 us analysis); see
        # words.new_word. The tests check these are exactly the dataclass's fields.
        command = _new(SimpleCommand)
        fields = command.__dict__
        fields["index"] = index
        fields["name"] = name
        fields["argv"] = tuple(argv)
        fields["text"] = text
        fields["origin"] = origin
        fields["depth"] = frame.depth
        fields["assignments"] = assignments
        fields["wrappers"] = wrappers
        fields["redirects"] = redirects
        fields["cwd"] = directory
        fields["background"] = frame.background
        fields["parent"] = frame.parent
        fields["unsets"] = unsets
        self.commands.append(command)
        self.add_pending(index, pending)
        if self.writes:
            self.note_reads(command)
        if redirects:
            self.note_writes(index, redirects, directory)
        follow = _FOLLOW.get(name)
        if follow is None:
            return [index]
        return [index, *follow(self, command, scope, frame, nest)]

    def add_pending(self, index: int, pending: Sequence[_Pending]) -> None:
        for other, kind, outgoing in pending:
            if outgoing:
                self.flow(index, other, kind)
            else:
                self.flow(other, index, kind)

    def git_directory(self, argv: list[Word], directory: str | None) -> str | None:
        i = 1
        while i < len(argv):
            value = argv[i].value
            if not value.startswith("-"):
                break
            if value == "-C" and i + 1 < len(argv):
                directory = _directory(directory, argv[i + 1])
                self.trace.append(f"git -C -> {directory}")
            i += 2 if value in _GIT_OPTIONS_WITH_VALUE else 1
        return directory

    # -- words inside commands ---------------------------------------------------------

    def nested(
        self,
        reader: WordReader,
        scope: Scope,
        frame: _Frame,
        nest: int,
        *,
        pending: list[_Pending] | None = None,
        kind: FlowKind | None = None,
    ) -> list[int]:
        """Walk the substitutions a reader collected; queue their flows into the command
        being built. Returns the commands whose output the words carry."""
        if pending is None:
            pending = []
        sources: list[int] = []
        for node in reader.nested:
            if node.type == "process_substitution":
                origin = Origin.PROCESS_SUBSTITUTION
                outgoing = node.children[0].type == ">("
                flow_kind = FlowKind.PROCESS_SUBSTITUTION
            else:
                origin = Origin.SUBSTITUTION
                outgoing = False
                flow_kind = kind or FlowKind.SUBSTITUTION
            inner = self.sequence(node, scope.copy(), frame.derive(origin), nest + 1)
            for index in inner:
                pending.append((index, flow_kind, outgoing))
            if not outgoing:
                sources += inner
        reader.nested.clear()
        for name in reader.references:
            for index in scope.taint.get(name, ()):
                pending.append((index, kind or FlowKind.SUBSTITUTION, False))
                sources.append(index)
        reader.references.clear()
        return sources

    def redirects(
        self,
        nodes: Sequence[Node],
        reader: WordReader,
        scope: Scope,
        frame: _Frame,
        nest: int,
    ) -> tuple[tuple[Redirect, ...], list[_Pending]]:
        redirects: list[Redirect] = []
        pending: list[_Pending] = []
        for node in nodes:
            kind = node.type
            heredoc = frame.heredocs.get(node.start_byte) if kind == "file_redirect" else None
            if heredoc is not None:
                expands = heredoc.expands and _has_expansion(heredoc.body)
                redirects.append(Redirect(heredoc.op, None, heredoc.body, not expands))
                if expands and heredoc.body_node is not None:
                    # The outer shell runs $(...) in an unquoted heredoc before feeding it.
                    stack = list(heredoc.body_node.children)
                    while stack:
                        child = stack.pop()
                        if child.type in SUBSTITUTIONS:
                            reader.nested.append(child)
                        else:
                            stack.extend(child.children)
                    self.nested(
                        reader, scope, frame, nest, pending=pending, kind=FlowKind.STDIN_REDIRECT
                    )
                continue
            descriptor = ""
            operator = ""
            target: Word | None = None
            body: str | None = None
            body_static = True
            for child in node.children:
                child_kind = child.type
                if child_kind == "file_descriptor":
                    descriptor = frame.text(child)
                elif not child.is_named:
                    operator = operator or child_kind
                elif child_kind == "heredoc_body":
                    body = frame.text(child)
                elif child_kind in ("heredoc_start", "heredoc_end"):
                    continue
                elif kind == "herestring_redirect":
                    word = reader.read_one(child)
                    body = word.value
                    body_static = word.static
                    self.nested(
                        reader, scope, frame, nest, pending=pending, kind=FlowKind.STDIN_REDIRECT
                    )
                elif target is None:
                    target = reader.read_one(child)
                    self.nested(reader, scope, frame, nest, pending=pending)
            if kind == "herestring_redirect":
                redirects.append(
                    Redirect(descriptor + (operator or "<<<"), None, body, body_static)
                )
            elif kind == "heredoc_redirect":
                redirects.append(Redirect(descriptor + (operator or "<<"), None, body or ""))
            elif operator:
                redirects.append(Redirect(descriptor + operator, target))
                if operator in ("<&", ">&") and target is not None and target.value.isdigit():
                    # `<&3` reads the file an earlier `exec 3< FILE` opened.
                    opened = scope.lookup(_DESCRIPTOR + target.value)
                    if opened is not None:
                        redirects.append(Redirect(operator[0], new_word(opened, target.raw)))
        return tuple(redirects), pending

    # -- files written, then run or read ----------------------------------------------

    def note_writes(self, index: int, redirects: tuple[Redirect, ...], cwd: str | None) -> None:
        for redirect in redirects:
            target = redirect.target
            if target is None or not target.static:
                continue
            operator = redirect.op.lstrip("0123456789")
            if operator in _WRITE_OPERATORS or (
                operator == ">&" and not target.value.isdigit() and target.value != "-"
            ):
                self.writes[_path_key(cwd, target.value)] = index

    def note_reads(self, command: SimpleCommand) -> None:
        cwd = command.cwd
        for redirect in command.redirects:
            if redirect.target is not None and redirect.op.lstrip("0123456789") == "<":
                writer = self.writes.get(_path_key(cwd, redirect.target.value))
                if writer is not None:
                    self.flow(writer, command.index, FlowKind.STDIN_REDIRECT)
        for position, word in enumerate(command.argv):
            value = word.value
            if position == 0 and "/" not in value:
                continue
            if value.startswith("-") and "=" in value:
                value = value.partition("=")[2]
            elif value.startswith("@"):
                value = value[1:]
            if not value:
                continue
            writer = self.writes.get(_path_key(cwd, value))
            if writer is not None:
                self.flow(writer, command.index, FlowKind.FILE)

    def record_output_files(self, command: SimpleCommand) -> None:
        for path in _output_files(command):
            self.writes[_path_key(command.cwd, path)] = command.index

    # -- commands that run other commands ----------------------------------------------

    def reparse(
        self,
        word: Word,
        parent: SimpleCommand,
        scope: Scope,
        frame: _Frame,
        nest: int,
        *,
        origin: Origin,
        what: str,
        extra_wrappers: tuple[str, ...] = (),
    ) -> list[int]:
        depth = frame.depth + 1
        if depth > MAX_REPARSE_DEPTH:
            self.truncate(f"{what} nested more than {MAX_REPARSE_DEPTH} levels deep")
            return []
        text = word.value
        if not word.static and ("$(" in text or "`" in text):
            # The outer shell runs the substitution and the inner one runs its output:
            # re-parsing the text would invent commands. The substitution's commands are
            # already found, with a flow into the shell.
            self.trace.append(f"did not re-parse {what}: it is the output of a substitution")
            return []
        if len(text) > MAX_SOURCE_CHARS:
            text = text[:MAX_SOURCE_CHARS]
            self.truncate(f"{what} longer than {MAX_SOURCE_CHARS} characters")
        if len(text) > self.reparse_budget:
            self.truncate(f"more than {MAX_REPARSED_CHARS} characters of nested scripts")
            return []
        self.reparse_budget -= len(text)
        static = "" if word.static else " (not static)"
        self.trace.append(f"re-parsed {what} at depth {depth}{static}")
        parsed = parse(text)
        self.note_problems(parsed)
        inner = _Frame(
            parsed,
            origin,
            depth,
            parent.index,
            parent.wrappers + extra_wrappers,
            background=frame.background,
        )
        return self.visit(parsed.root, scope.copy(), inner, nest + 1)

    def follow_shell(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        run = launchers.shell_run(command.argv)
        if run.command is not None:
            what = f"{command.name} -c string"
            return self.reparse(
                run.command, command, scope, frame, nest, origin=Origin.SHELL_C, what=what
            )
        if run.reads_stdin:
            for redirect in command.redirects:
                if redirect.body is not None:
                    script = Word(redirect.body, redirect.body, redirect.body_static)
                    what = f"script fed to {command.name} by {redirect.op}"
                    origin = Origin.STDIN_SCRIPT
                    return self.reparse(
                        script, command, scope, frame, nest, origin=origin, what=what
                    )
        return []

    def follow_eval(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        if len(command.argv) < 2:
            return []
        script = launchers.joined(command.argv[1:])
        return self.reparse(
            script, command, scope, frame, nest, origin=Origin.EVAL, what="eval arguments"
        )

    def follow_trap(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        """``trap 'cmd' EXIT`` runs ``cmd`` later in this shell: judge it now."""
        args = command.argv[1:]
        if args and args[0].value == "--":
            args = args[1:]
        if len(args) < 2 or args[0].value in ("", "-") or args[0].value.startswith("-"):
            return []
        self.reparse(args[0], command, scope, frame, nest, origin=Origin.EVAL, what="trap action")
        return []

    def follow_watch(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        found = launchers.watch_command(command.argv)
        if found is None:
            return []
        argv, direct = found
        if direct:
            inner = self.derive_exec(frame, command, ("watch",))
            return self.emit(argv, scope, inner, nest + 1, text=command.text)
        script = launchers.joined(argv)
        return self.reparse(
            script,
            command,
            scope,
            frame,
            nest,
            origin=Origin.EXEC,
            what="watch command",
            extra_wrappers=("watch",),
        )

    def follow_find(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        connected: list[int] = []
        if nest > MAX_NESTING:
            self.truncate(f"nesting deeper than {MAX_NESTING}")
            return connected
        for argv, in_file_dir in launchers.find_exec_commands(command.argv):
            inner = self.derive_exec(frame, command, ())
            text = " ".join(word.raw for word in argv)
            self.trace.append(f"found find -exec command: {text[:80]}")
            directory = None if in_file_dir else command.cwd
            connected += self.emit(
                argv, scope, inner, nest + 1, text=text, own_cwd=True, cwd=directory
            )
        return connected

    def follow_remote(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        """``ssh host 'cmd'``: the remote shell runs the joined arguments, in a directory
        and environment this analysis does not know."""
        argv = launchers.ssh_command(command.argv)
        if argv is None:
            return []
        self.reparse(
            launchers.joined(argv),
            command,
            Scope(None, {}),
            frame,
            nest,
            origin=Origin.EXEC,
            what=f"{command.name} remote command",
            extra_wrappers=(command.name,),
        )
        return []

    def follow_container(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        """``docker exec|run``, ``kubectl exec -- cmd``: the command runs in a container,
        in its working directory (``-w``) or an unknown one."""
        run = launchers.container_command(command.argv)
        if run is None:
            return []
        workdir = run.workdir
        inside = Scope(
            workdir.value if workdir and workdir.static and workdir.value.startswith("/") else None,
            {},
        )
        text = " ".join(word.raw for word in run.argv)
        self.trace.append(f"found the command {command.name} runs in a container: {text[:80]}")
        self.emit(
            run.argv,
            inside,
            self.derive_exec(frame, command, (command.name,)),
            nest + 1,
            text=text,
            assignments=run.environment,
            own_cwd=True,
            cwd=inside.cwd,
        )
        return []

    def follow_command_string(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        """``su user -c STRING``, ``runuser``, ``script -c``, ``flock FILE -c``."""
        script = launchers.command_string(command.argv)
        if script is None:
            return []
        return self.reparse(
            script,
            command,
            scope,
            frame,
            nest,
            origin=Origin.SHELL_C,
            what=f"{command.name} -c string",
            extra_wrappers=(command.name,),
        )

    def follow_parallel(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        argv = launchers.parallel_command(command.argv)
        if argv is None:
            return []
        return self.reparse(
            launchers.joined(argv),
            command,
            scope,
            frame,
            nest,
            origin=Origin.EXEC,
            what="parallel command",
            extra_wrappers=("parallel",),
        )

    def follow_exec(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        """``exec 3< FILE`` opens a descriptor for later ``<&3``: remember which file."""
        for redirect in command.redirects:
            descriptor = redirect.op[: len(redirect.op) - len(redirect.op.lstrip("0123456789"))]
            operator = redirect.op[len(descriptor) :]
            target = redirect.target
            if not descriptor:
                continue
            if operator in ("<&-", ">&-"):
                scope.forget(_DESCRIPTOR + descriptor)  # `exec 3<&-` closes it
            elif target is None:
                continue
            elif operator in ("<", ">", ">>", "<>"):
                path = Word(_path_key(command.cwd, target.value), target.raw, target.static)
                scope.assign(_DESCRIPTOR + descriptor, path)
            elif operator in ("<&", ">&"):
                # `exec 4<&3` makes 4 the same file as 3.
                opened = scope.lookup(_DESCRIPTOR + target.value)
                if opened is None:
                    scope.forget(_DESCRIPTOR + descriptor)
                else:
                    scope.assign(_DESCRIPTOR + descriptor, Word(opened, target.raw))
        return []

    def follow_downloader(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        self.record_output_files(command)
        return []

    def follow_copy(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        operands = [word for word in command.argv[1:] if not word.value.startswith("-")]
        if len(operands) == 2 and operands[0].static and operands[1].static:
            writer = self.writes.get(_path_key(command.cwd, operands[0].value))
            if writer is not None:
                self.writes[_path_key(command.cwd, operands[1].value)] = writer
        return []

    def follow_directory_change(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        operands = [word for word in command.argv[1:] if word.value not in ("-L", "-P", "-e")]
        if operands and operands[0].value == "--":
            operands = operands[1:]
        if command.name == "popd" or (command.name == "pushd" and not operands):
            scope.cwd = None
        elif not operands:
            scope.cwd = self.home
        else:
            scope.cwd = _directory(command.cwd, operands[0])
        self.trace.append(f"{command.name} -> {scope.cwd}")
        return []

    def follow_read(
        self, command: SimpleCommand, scope: Scope, frame: _Frame, nest: int
    ) -> list[int]:
        for word in command.argv[1:]:
            if not word.value.startswith("-"):
                scope.forget(word.value)
        return []

    def derive_exec(
        self, frame: _Frame, parent: SimpleCommand, extra_wrappers: tuple[str, ...]
    ) -> _Frame:
        inner = frame.derive(Origin.EXEC)
        inner.parent = parent.index
        inner.wrappers = parent.wrappers + extra_wrappers
        return inner

    def script_through_pipe(
        self, sources: list[int], sinks: list[int], scope: Scope, frame: _Frame, nest: int
    ) -> None:
        """``echo 'rm -rf /' | sh`` and ``cat <<EOF | sh``: re-parse the text a shell
        reads from the pipe when the upstream command prints it literally."""
        for sink in sinks:
            shell = self.commands[sink]
            if (
                shell.name not in launchers.SHELLS
                or not launchers.shell_run(shell.argv).reads_stdin
            ):
                continue
            if any(redirect.body is not None for redirect in shell.redirects):
                continue
            for source in sources:
                script = _printed_text(self.commands[source])
                if script is not None:
                    what = f"text piped from {self.commands[source].name} into {shell.name}"
                    self.reparse(
                        script, shell, scope, frame, nest, origin=Origin.STDIN_SCRIPT, what=what
                    )


_HANDLERS: dict[str, Callable[[_Walker, Node, Scope, _Frame, int], list[int]]] = {
    "program": _Walker.sequence,
    "compound_statement": _Walker.sequence,
    "do_group": _Walker.sequence,
    "subshell": _Walker.subshell,
    "list": _Walker.and_or,
    "pipeline": _Walker.pipeline,
    "redirected_statement": _Walker.redirected,
    "command": _Walker.command,
    "declaration_command": _Walker.assignments_only,
    "unset_command": _Walker.assignments_only,
    "variable_assignment": _Walker.assignments_only,
    "variable_assignments": _Walker.assignments_only,
    "negated_command": _Walker.negated,
    "if_statement": _Walker.if_statement,
    "for_statement": _Walker.loop,
    "c_style_for_statement": _Walker.loop,
    "while_statement": _Walker.loop,
    "case_statement": _Walker.case,
    "function_definition": _Walker.function,
}

_Follow = Callable[[_Walker, SimpleCommand, Scope, _Frame, int], list[int]]

_FOLLOW: dict[str, _Follow] = {
    **dict.fromkeys(launchers.SHELLS, _Walker.follow_shell),
    "eval": _Walker.follow_eval,
    "exec": _Walker.follow_exec,
    "ssh": _Walker.follow_remote,
    "docker": _Walker.follow_container,
    "podman": _Walker.follow_container,
    "kubectl": _Walker.follow_container,
    "oc": _Walker.follow_container,
    "su": _Walker.follow_command_string,
    "runuser": _Walker.follow_command_string,
    "script": _Walker.follow_command_string,
    "flock": _Walker.follow_command_string,
    "parallel": _Walker.follow_parallel,
    "trap": _Walker.follow_trap,
    "watch": _Walker.follow_watch,
    "find": _Walker.follow_find,
    "curl": _Walker.follow_downloader,
    "wget": _Walker.follow_downloader,
    "tee": _Walker.follow_downloader,
    "cp": _Walker.follow_copy,
    "mv": _Walker.follow_copy,
    "cd": _Walker.follow_directory_change,
    "pushd": _Walker.follow_directory_change,
    "popd": _Walker.follow_directory_change,
    "read": _Walker.follow_read,
    "mapfile": _Walker.follow_read,
    "readarray": _Walker.follow_read,
}


def _merge(scope: Scope, outcomes: list[Scope]) -> None:
    """After branches, keep only what every branch agrees on."""
    if not outcomes:
        return
    first = outcomes[0]
    scope.cwd = first.cwd if all(other.cwd == first.cwd for other in outcomes) else None
    variables = {
        name: value
        for name, value in first.variables.items()
        if all(other.variables.get(name) == value for other in outcomes)
    }
    taint: dict[str, tuple[int, ...]] = {}
    for other in outcomes:
        for name, sources in other.taint.items():
            taint[name] = tuple(dict.fromkeys(taint.get(name, ()) + sources))
    scope.replace(variables, taint)


def _word_groups(nodes: list[Node], src: bytes) -> list[list[Node]]:
    """Group word nodes that form one shell word.

    tree-sitter-bash splits a quoted or expanded piece from a backslash escape right after
    it (`'r'\\m` is two arguments to it, one word `rm` to bash) and drops an escaped blank
    between pieces (`'a'\\ b`). Nodes with nothing, or only backslash escapes, between
    them are one word.
    """
    groups: list[list[Node]] = []
    previous_end = -1
    for node in nodes:
        start = node.start_byte
        if start == previous_end and groups:
            if node.type == "$" and _is_translated_string(node):
                continue
            groups[-1].append(node)
        elif (
            groups
            and src[previous_end] == 0x5C  # a backslash: only escapes in between?
            and _ESCAPES_ONLY.fullmatch(src, previous_end, start) is not None
        ):
            groups[-1].append(node)
        elif node.type == "$" and _is_translated_string(node):
            continue
        else:
            groups.append([node])
        previous_end = node.end_byte
    return groups


def _is_translated_string(node: Node) -> bool:
    """The ``$`` of ``$"text"`` (a translated string): not part of the value."""
    following = node.next_sibling
    return following is not None and following.type == "string"


def _has_expansion(text: str) -> bool:
    return "$" in text or "`" in text


def _directory(cwd: str | None, word: Word) -> str | None:
    """Where ``cd word`` from ``cwd`` goes, or None when that cannot be known."""
    if not word.static or word.glob or word.value in ("", "-"):
        return None
    value = word.value
    if not value.startswith("/"):
        if cwd is None:
            return None
        value = posixpath.join(cwd, value)
    return _normalise(value)


def _normalise(path: str) -> str:
    if path.startswith("/") and "//" not in path and "/." not in path and path[-1] != "/":
        return path  # already normal (the common case: skip normpath's work)
    normal = posixpath.normpath(path)
    # POSIX keeps a leading `//`; for our comparisons it is `/`.
    return "/" + normal.lstrip("/") if normal.startswith("//") else normal


def _path_key(cwd: str | None, path: str) -> str:
    if path.startswith("/") or cwd is None:
        return _normalise(path)
    return _normalise(posixpath.join(cwd, path))


def _assignment_word(assignment: tuple[str, Word], raw: str) -> Word:
    name, value = assignment
    return Word(f"{name}={value.value}", raw, value.static, value.glob)


def _output_files(command: SimpleCommand) -> list[str]:
    """Files a downloader or ``tee`` writes (``curl -o f``, ``wget -O f``, ``tee f``)."""
    argv = command.argv
    files: list[str] = []
    if command.name == "tee":
        return [word.value for word in argv[1:] if word.static and not word.value.startswith("-")]
    short, long_option = ("o", "--output") if command.name == "curl" else ("O", "--output-document")
    remote_name = False
    urls: list[str] = []
    i = 1
    while i < len(argv):
        word = argv[i]
        value = word.value
        if value == long_option and i + 1 < len(argv):
            files.append(argv[i + 1].value)
            i += 2
            continue
        if value.startswith(long_option + "="):
            files.append(value.partition("=")[2])
        elif value.startswith("-") and not value.startswith("--") and short in value:
            attached = value[value.index(short) + 1 :]
            if attached:
                files.append(attached)
            elif i + 1 < len(argv):
                files.append(argv[i + 1].value)
                i += 1
        elif command.name == "curl" and (
            value == "--remote-name"
            or (value.startswith("-") and not value.startswith("--") and "O" in value)
        ):
            remote_name = True
        elif "://" in value:
            urls.append(value)
        i += 1
    if command.name == "wget" and not files:
        remote_name = True
    if remote_name:
        for url in urls:
            base = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            if base and "://" not in base:
                files.append(base)
    return [name for name in files if name and name != "-"]


def _printed_text(command: SimpleCommand) -> Word | None:
    """The text ``echo``/``printf`` (without format directives) or ``cat <<EOF`` prints."""
    if command.name == "cat" and len(command.argv) == 1:
        for redirect in command.redirects:
            if redirect.body is not None:
                return Word(redirect.body, redirect.body, redirect.body_static)
        return None
    if command.name not in _SCRIPT_RUNNERS or len(command.argv) < 2:
        return None
    args = list(command.argv[1:])
    if command.name == "echo":
        while args and args[0].static and args[0].value in ("-n", "-e", "-E", "-ne", "-en"):
            args = args[1:]
        return launchers.joined(args) if args else None
    if "%" in args[0].value:
        return None
    return launchers.joined(args[:1])
