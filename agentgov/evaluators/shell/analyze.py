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

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from agentgov.evaluators.shell import launchers
from agentgov.evaluators.shell.effects import FOLLOW, run_written_script, script_through_pipe
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
from agentgov.evaluators.shell.paths import directory_after_cd, normalise, output_files, path_key
from agentgov.evaluators.shell.words import DESCRIPTOR, SUBSTITUTIONS, Scope, WordReader, new_word
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
MAX_PIPELINE_STAGES = 128
MAX_COMMANDS = 5_000
MAX_FLOWS = 20_000

_new = object.__new__
_UNWRAPPABLE = frozenset(WRAPPERS) | {"env", "busybox"}
_DIRECTORY_CHANGES = frozenset({"cd", "pushd", "popd"})
_WRITE_OPERATORS = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})
_STATEMENT_SEPARATORS = frozenset({";", ";;", "&", "\n"})
_GIT_OPTIONS_WITH_VALUE = frozenset(
    {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--exec-path"}
)
_ASSIGNABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
_RESERVED_WORDS = frozenset(
    [
        "if",
        "coproc",
        "then",
        "else",
        "elif",
        "fi",
        "do",
        "done",
        "while",
        "until",
        "for",
        "in",
        "case",
        "esac",
        "select",
        "function",
        "{",
        "}",
        "!",
        "[[",
        "]]",
    ]
)
# A command substitution ($(...) but not arithmetic $((...)), or backticks).
_SUBSTITUTION = re.compile(r"\$\((?!\()|`")
_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
_ESCAPES_ONLY = re.compile(rb"(?:\\[\s\S])+")


def analyze(source: str, *, cwd: str = "/", home: str = "/root") -> Analysis:
    """Analyse ``source`` as a bash script starting in ``cwd`` with ``$HOME`` = ``home``.

    Every simple command that would run is returned once, in execution order, with its
    wrappers removed, its words evaluated as far as static analysis allows, the directory
    it runs in, and the data flows between commands (pipes, substitutions, files).
    Never raises on any input.
    """
    walker = Walker(home)
    text = source
    if len(text) > MAX_SOURCE_CHARS:
        text = text[:MAX_SOURCE_CHARS]
        walker.truncate(f"input longer than {MAX_SOURCE_CHARS} characters: analysed the start")
    parsed = parse(text)
    walker.note_problems(parsed)
    scope = Scope(normalise(cwd) if cwd else None, {"HOME": home})
    frame = Frame(parsed, Origin.TOP, 0, None, (), background=False)
    walker.visit(parsed.root, scope, frame, 0)
    # Analysis(...) without its frozen __init__, as for SimpleCommand in Walker.emit.
    analysis = _new(Analysis)
    fields = analysis.__dict__
    fields["source"] = source
    fields["commands"] = tuple(walker.commands)
    fields["flows"] = tuple(walker.flows)
    fields["truncated"] = walker.truncated
    fields["unparsed"] = tuple(walker.unparsed)
    fields["trace"] = tuple(walker.trace)
    return analysis


class Frame:
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

    def derive(self, origin: Origin, *, background: bool | None = None) -> Frame:
        """A frame for a substitution or background job inside this one."""
        frame = object.__new__(Frame)
        frame.src = self.src
        frame.heredocs = self.heredocs
        frame.origin = origin
        frame.depth = self.depth
        frame.parent = self.parent
        frame.wrappers = self.wrappers
        frame.background = self.background if background is None else background
        return frame

    def text(self, node: Node) -> str:
        """The source text of ``node``."""
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")


# A pending flow of the command being built: (other command, kind, whether data goes from
# the command being built to the other one, as with `>(sink)`).
_Pending = tuple[int, FlowKind, bool]


class Walker:
    """One analysis in progress: the commands and flows found so far, the files written,
    and the limits left. Internal to the shell package (``effects.py`` drives it too)."""

    def __init__(self, home: str) -> None:
        self.home = home
        self.commands: list[SimpleCommand] = []
        self.flows: list[Flow] = []
        self._flow_keys: set[tuple[int, int, FlowKind]] = set()
        self.unparsed: list[str] = []
        self.trace: list[str] = []
        self.truncated = False
        # Files written so far (normalised path -> writing command), for FILE flows, and
        # the text of those whose content is known (`cat > x.sh <<EOF`, `echo ... > x.sh`).
        self.writes: dict[str, int] = {}
        self.contents: dict[str, Word] = {}
        self.reparse_budget = MAX_REPARSED_CHARS

    # -- bookkeeping -------------------------------------------------------------------

    def truncate(self, why: str) -> None:
        """Record that a limit cut the analysis short (the first reason is traced)."""
        if not self.truncated:
            self.trace.append(f"truncated: {why}")
        self.truncated = True

    def note_problems(self, parsed: Parsed) -> None:
        """Record what tree-sitter could not parse in ``parsed``."""
        self.unparsed.extend(parsed.problems)
        if parsed.root.has_error:
            found = problems(parsed.root, parsed.src)
            self.unparsed.extend(found)
            for fragment in found[:3]:
                self.trace.append(f"could not parse: {fragment[:80]!r}")

    def flow(self, source: int, sink: int, kind: FlowKind) -> None:
        """Record that data from command ``source`` reaches command ``sink`` (once)."""
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

    def visit(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
        """Walk one statement-level node; return the commands connected to its stdio."""
        if nest > MAX_NESTING:
            self.truncate(f"nesting deeper than {MAX_NESTING}")
            return []
        handler = _HANDLERS.get(node.type)
        if handler is None:
            return self.generic(node, scope, frame, nest)
        return handler(self, node, scope, frame, nest + 1)

    def sequence(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
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

    def subshell(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
        """``( ... )``: like a list, in a copy of the scope."""
        return self.sequence(node, scope.copy(), frame, nest)

    def function(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
        """A function definition: its body is judged where it is defined."""
        # The body runs whenever the function is called; judge it where it is defined.
        body = node.child_by_field_name("body")
        if body is not None:
            self.visit(body, scope.copy(), frame, nest)
        return []

    def and_or(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
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

    def pipeline(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
        """``a | b | c``: every stage, with pipe flows between neighbours."""
        stages = self.stages(node, scope, frame, nest)
        return [index for stage in stages for index in stage]

    def stages(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[list[int]]:
        """Each stage runs in its own subshell; data flows from one stage to the next."""
        stages: list[list[int]] = []
        for child in node.children:
            if not child.is_named:
                continue
            stage = self.visit(child, scope.copy(), frame, nest)
            if len(stages) >= MAX_PIPELINE_STAGES:
                # Every stage is still searched for commands, but no longer linked: rules
                # ask for the upstream of each command, quadratic along a long chain.
                self.truncate(f"pipeline longer than {MAX_PIPELINE_STAGES} stages")
            elif stages:
                for source in stages[-1]:
                    for sink in stage:
                        self.flow(source, sink, FlowKind.PIPE)
                script_through_pipe(self, stages[-1], stage, scope, frame, nest)
            stages.append(stage)
        return stages

    def redirected(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
        """A statement with redirects; they belong to the command(s) they apply to."""
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

    def if_statement(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
        """Conditions run in order; each branch gets a copy and the copies are merged."""
        outcomes: list[Scope] = []
        connected = self.branch(node, scope, frame, nest, outcomes)
        if not any(child.type == "else_clause" for child in node.children):
            outcomes.append(scope.copy())
        _merge(scope, outcomes)
        return connected

    def branch(
        self, node: Node, scope: Scope, frame: Frame, nest: int, outcomes: list[Scope]
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

    def loop(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
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

    def case(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
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

    def negated(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
        """``! cmd``."""
        return self.sequence(node, scope, frame, nest)

    def generic(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
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

    def assignments_only(self, node: Node, scope: Scope, frame: Frame, nest: int) -> list[int]:
        """``X=1``, ``export X=1``, ``unset X``: recorded as commands."""
        return self.command(node, scope, frame, nest)

    # -- commands ----------------------------------------------------------------------

    def command(
        self,
        node: Node,
        scope: Scope,
        frame: Frame,
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
            if child_kind == "variable_assignment" and not _ASSIGNABLE.match(frame.text(child)):
                # tree-sitter takes `*X=1` for an assignment; bash runs it as a command.
                word_nodes.append(child)
            elif child_kind == "variable_assignment":
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

    def assignment(self, node: Node, reader: WordReader, frame: Frame) -> tuple[str, Word]:
        """The name and value of one ``NAME=value`` (``+=`` appends)."""
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
        frame: Frame,
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
        if nest > MAX_NESTING:  # find -exec find -exec ..., docker exec docker exec ...
            self.truncate(f"nesting deeper than {MAX_NESTING}")
            return []
        if argv[0].raw in _RESERVED_WORDS:
            # An unquoted reserved word cannot name a program: tree-sitter misread a
            # compound command (`! if a; then rm -rf /; fi` gives `then rm -rf /`). What
            # follows the keyword is the command; the input counts as not fully parsed.
            self.unparsed.append(text[:200])
            self.trace.append(f"tree-sitter read the keyword {argv[0].raw!r} as a command")
            while argv and argv[0].raw in _RESERVED_WORDS:
                argv = argv[1:]
            if not argv:
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
                    directory = directory_after_cd(directory, word)
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
        return self.consequences(command, scope, frame, nest)

    def consequences(
        self, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
    ) -> list[int]:
        """What running a recorded command does: files it runs or writes, commands it
        runs. Returns it and the commands connected with it to the same stdio."""
        index = command.index
        redirects = command.redirects
        connected = [index]
        if self.writes:
            self.note_reads(command)
            if self.contents:
                connected += run_written_script(self, command, scope, frame, nest)
        if redirects:
            self.note_writes(index, redirects, command.cwd, launchers.printed_text(command))
        follow = FOLLOW.get(command.name)
        if follow is not None:
            connected += follow(self, command, scope, frame, nest)
        return connected

    def add_pending(self, index: int, pending: Sequence[_Pending]) -> None:
        """Record the flows queued while the command at ``index`` was built."""
        for other, kind, outgoing in pending:
            if outgoing:
                self.flow(index, other, kind)
            else:
                self.flow(other, index, kind)

    def git_directory(self, argv: list[Word], directory: str | None) -> str | None:
        """The directory ``git -C dir ...`` runs in."""
        i = 1
        while i < len(argv):
            value = argv[i].value
            if not value.startswith("-"):
                break
            if value == "-C" and i + 1 < len(argv):
                directory = directory_after_cd(directory, argv[i + 1])
                self.trace.append(f"git -C -> {directory}")
            i += 2 if value in _GIT_OPTIONS_WITH_VALUE else 1
        return directory

    # -- words inside commands ---------------------------------------------------------

    def nested(
        self,
        reader: WordReader,
        scope: Scope,
        frame: Frame,
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
        frame: Frame,
        nest: int,
    ) -> tuple[tuple[Redirect, ...], list[_Pending]]:
        """Read redirect nodes; walk the substitutions in them; queue their flows."""
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
                    opened = scope.lookup(DESCRIPTOR + target.value)
                    if opened is not None:
                        redirects.append(Redirect(operator[0], new_word(opened, target.raw)))
        return tuple(redirects), pending

    # -- files written, then run or read ----------------------------------------------

    def note_writes(
        self,
        index: int,
        redirects: tuple[Redirect, ...],
        cwd: str | None,
        text: Word | None = None,
    ) -> None:
        """Remember the files a command's redirects write, for later FILE flows, and their
        content when it is known (``text``: what the command prints)."""
        for redirect in redirects:
            target = redirect.target
            if target is None or not target.static:
                continue
            operator = redirect.op.lstrip("0123456789")
            if operator in _WRITE_OPERATORS or (
                operator == ">&" and not target.value.isdigit() and target.value != "-"
            ):
                key = path_key(cwd, target.value)
                self.writes[key] = index
                known = self.contents.pop(key, None)
                if text is not None and redirect.op in (">", ">|", "1>"):
                    self.contents[key] = text
                elif text is not None and redirect.op in (">>", "1>>") and known is not None:
                    self.contents[key] = launchers.joined_text(known, text)

    def note_reads(self, command: SimpleCommand) -> None:
        """Flows from earlier writers into a command that runs or reads their files."""
        cwd = command.cwd
        for redirect in command.redirects:
            if redirect.target is not None and redirect.op.lstrip("0123456789") == "<":
                writer = self.writes.get(path_key(cwd, redirect.target.value))
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
            writer = self.writes.get(path_key(cwd, value))
            if writer is not None:
                self.flow(writer, command.index, FlowKind.FILE)

    def record_output_files(self, command: SimpleCommand) -> None:
        """Remember the files ``curl -o``, ``wget``, ``tee`` write."""
        for path in output_files(command):
            self.writes[path_key(command.cwd, path)] = command.index

    # -- commands that run other commands ----------------------------------------------

    def reparse(
        self,
        word: Word,
        parent: SimpleCommand,
        scope: Scope,
        frame: Frame,
        nest: int,
        *,
        origin: Origin,
        what: str,
        extra_wrappers: tuple[str, ...] = (),
    ) -> list[int]:
        """Analyse a string that is itself a script, one level deeper."""
        depth = frame.depth + 1
        if depth > MAX_REPARSE_DEPTH:
            self.truncate(f"{what} nested more than {MAX_REPARSE_DEPTH} levels deep")
            return []
        text = word.value
        if not word.static and _SUBSTITUTION.search(text) is not None:
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
        inner = Frame(
            parsed,
            origin,
            depth,
            parent.index,
            parent.wrappers + extra_wrappers,
            background=frame.background,
        )
        return self.visit(parsed.root, scope.copy(), inner, nest + 1)

    def derive_exec(
        self, frame: Frame, parent: SimpleCommand, extra_wrappers: tuple[str, ...]
    ) -> Frame:
        """A frame for a command another one runs (``find -exec``, ``docker exec``)."""
        inner = frame.derive(Origin.EXEC)
        inner.parent = parent.index
        inner.wrappers = parent.wrappers + extra_wrappers
        return inner


_HANDLERS: dict[str, Callable[[Walker, Node, Scope, Frame, int], list[int]]] = {
    "program": Walker.sequence,
    "compound_statement": Walker.sequence,
    "do_group": Walker.sequence,
    "subshell": Walker.subshell,
    "list": Walker.and_or,
    "pipeline": Walker.pipeline,
    "redirected_statement": Walker.redirected,
    "command": Walker.command,
    "declaration_command": Walker.assignments_only,
    "unset_command": Walker.assignments_only,
    "variable_assignment": Walker.assignments_only,
    "variable_assignments": Walker.assignments_only,
    "negated_command": Walker.negated,
    "if_statement": Walker.if_statement,
    "for_statement": Walker.loop,
    "c_style_for_statement": Walker.loop,
    "while_statement": Walker.loop,
    "case_statement": Walker.case,
    "function_definition": Walker.function,
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
        if (start == previous_end and groups) or (
            groups
            and src[previous_end] == 0x5C  # a backslash: only escapes in between?
            and _ESCAPES_ONLY.fullmatch(src, previous_end, start) is not None
        ):
            groups[-1].append(node)
        else:
            groups.append([node])
        previous_end = node.end_byte
    return groups


def _has_expansion(text: str) -> bool:
    return "$" in text or "`" in text


def _assignment_word(assignment: tuple[str, Word], raw: str) -> Word:
    name, value = assignment
    return Word(f"{name}={value.value}", raw, value.static, value.glob)
