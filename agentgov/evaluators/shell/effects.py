"""What running a command does to the rest of the analysis.

Some commands run others from their arguments or stdin (``bash -c``, ``eval``, ``trap``,
``watch``, ``find -exec``, ``ssh``, ``docker exec``, ``su -c``, ``parallel``, a shell fed a
heredoc or an ``echo``); some change what later commands see (``cd``, ``read``,
``exec 3< FILE``); some write files a later command may run (``curl -o``, ``tee``,
``mv``). ``FOLLOW`` maps each such program to the function that follows it up, called by
the walker right after it records the command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from agentgov.evaluators.shell import launchers
from agentgov.evaluators.shell.model import Origin, SimpleCommand, Word
from agentgov.evaluators.shell.paths import directory_after_cd, path_key
from agentgov.evaluators.shell.words import DESCRIPTOR, Scope

if TYPE_CHECKING:
    from agentgov.evaluators.shell.analyze import Frame, Walker


def follow_shell(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``bash -c STRING``, or the heredoc/here-string a shell reads as its script."""
    run = launchers.shell_run(command.argv)
    if run.command is not None:
        what = f"{command.name} -c string"
        return walker.reparse(
            run.command, command, scope, frame, nest, origin=Origin.SHELL_C, what=what
        )
    return follow_stdin_script(walker, command, scope, frame, nest)


def follow_stdin_script(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """The heredoc or here-string a shell reads as its script (``bash <<EOF``,
    ``sudo -s <<EOF``, ``su - root <<< 'cmd'``)."""
    if launchers.reads_script_from_stdin(command):
        for redirect in command.redirects:
            if redirect.body is not None:
                return walker.reparse(
                    Word(redirect.body, redirect.body, redirect.body_static),
                    command,
                    scope,
                    frame,
                    nest,
                    origin=Origin.STDIN_SCRIPT,
                    what=f"script fed to {command.name} by {redirect.op}",
                    extra_wrappers=_user_switch(command),
                )
    return []


def _user_switch(command: SimpleCommand) -> tuple[str, ...]:
    """``("sudo",)`` for the script of ``sudo -s``: its commands run as another user."""
    return (command.name,) if command.name in ("sudo", "doas", "su", "runuser") else ()


def follow_alias(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``alias name='commands'``: judge the commands where the alias is defined (like a
    function body), in case a later line uses it."""
    for word in command.argv[1:]:
        name, equals, value = word.value.partition("=")
        if equals and name and value:
            walker.reparse(
                Word(value, word.raw, word.static),
                command,
                scope,
                frame,
                nest,
                origin=Origin.EVAL,
                what=f"alias {name}",
            )
    return []


def follow_eval(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``eval args``: the arguments joined by spaces are a script."""
    if len(command.argv) < 2:
        return []
    script = launchers.joined(command.argv[1:])
    return walker.reparse(
        script, command, scope, frame, nest, origin=Origin.EVAL, what="eval arguments"
    )


def follow_trap(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``trap 'cmd' EXIT`` runs ``cmd`` later in this shell: judge it now."""
    args = command.argv[1:]
    if args and args[0].value == "--":
        args = args[1:]
    if len(args) < 2 or args[0].value in ("", "-") or args[0].value.startswith("-"):
        return []
    walker.reparse(args[0], command, scope, frame, nest, origin=Origin.EVAL, what="trap action")
    return []


def follow_watch(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``watch cmd``: the joined arguments run through ``sh -c`` (or directly, ``-x``)."""
    found = launchers.watch_command(command.argv)
    if found is None:
        return []
    argv, direct = found
    if direct:
        inner = walker.derive_exec(frame, command, ("watch",))
        return walker.emit(argv, scope, inner, nest + 1, text=command.text)
    script = launchers.joined(argv)
    return walker.reparse(
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
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``find ... -exec CMD {} ;``: each command find runs, in its directory."""
    connected: list[int] = []
    for argv, in_file_dir in launchers.find_exec_commands(command.argv):
        inner = walker.derive_exec(frame, command, ())
        text = " ".join(word.raw for word in argv)
        walker.trace.append(f"found find -exec command: {text[:80]}")
        directory = None if in_file_dir else command.cwd
        connected += walker.emit(
            argv, scope, inner, nest + 1, text=text, own_cwd=True, cwd=directory
        )
    return connected


def follow_remote(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``ssh host 'cmd'``: the remote shell runs the joined arguments, in a directory
    and environment this analysis does not know."""
    argv = launchers.ssh_command(command.argv)
    if argv is None:
        return []
    walker.reparse(
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
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
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
    walker.trace.append(f"found the command {command.name} runs in a container: {text[:80]}")
    walker.emit(
        run.argv,
        inside,
        walker.derive_exec(frame, command, (command.name,)),
        nest + 1,
        text=text,
        assignments=run.environment,
        own_cwd=True,
        cwd=inside.cwd,
    )
    return []


def follow_command_string(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``su user -c STRING``, ``runuser``, ``script -c``, ``flock FILE -c``; without
    ``-c``, ``su`` and ``runuser`` start a shell that reads stdin."""
    script = launchers.command_string(command.argv)
    if script is None:
        return follow_stdin_script(walker, command, scope, frame, nest)
    return walker.reparse(
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
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``parallel cmd ::: args``: the command template is a script."""
    argv = launchers.parallel_command(command.argv)
    if argv is None:
        return []
    return walker.reparse(
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
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``exec 3< FILE`` opens a descriptor for later ``<&3``: remember which file."""
    for redirect in command.redirects:
        descriptor = redirect.op[: len(redirect.op) - len(redirect.op.lstrip("0123456789"))]
        operator = redirect.op[len(descriptor) :]
        target = redirect.target
        if not descriptor:
            continue
        if operator in ("<&-", ">&-"):
            scope.forget(DESCRIPTOR + descriptor)  # `exec 3<&-` closes it
        elif target is None:
            continue
        elif operator in ("<", ">", ">>", "<>"):
            path = Word(path_key(command.cwd, target.value), target.raw, target.static)
            scope.assign(DESCRIPTOR + descriptor, path)
        elif operator in ("<&", ">&"):
            # `exec 4<&3` makes 4 the same file as 3.
            opened = scope.lookup(DESCRIPTOR + target.value)
            if opened is None:
                scope.forget(DESCRIPTOR + descriptor)
            else:
                scope.assign(DESCRIPTOR + descriptor, Word(opened, target.raw))
    return []


def follow_downloader(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """Files ``curl``, ``wget`` and ``tee`` write, for later FILE flows."""
    walker.record_output_files(command)
    return []


def follow_copy(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``mv a b`` / ``cp a b``: a downloaded file keeps its writer under its new name."""
    operands = [word for word in command.argv[1:] if not word.value.startswith("-")]
    if len(operands) == 2 and operands[0].static and operands[1].static:
        source = path_key(command.cwd, operands[0].value)
        target = path_key(command.cwd, operands[1].value)
        writer = walker.writes.get(source)
        if writer is not None:
            walker.writes[target] = writer
        if source in walker.contents:
            walker.contents[target] = walker.contents[source]
    return []


def follow_directory_change(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``cd``/``pushd``/``popd``: the directory of later commands."""
    operands = [word for word in command.argv[1:] if word.value not in ("-L", "-P", "-e")]
    if operands and operands[0].value == "--":
        operands = operands[1:]
    if command.name == "popd" or (command.name == "pushd" and not operands):
        scope.cwd = None
    elif not operands:
        scope.cwd = walker.home
    else:
        scope.cwd = directory_after_cd(command.cwd, operands[0])
    walker.trace.append(f"{command.name} -> {scope.cwd}")
    return []


def follow_read(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``read X``: X now holds input the analyser cannot know."""
    for word in command.argv[1:]:
        if not word.value.startswith("-"):
            scope.forget(word.value)
    return []


def script_through_pipe(
    walker: Walker, sources: list[int], sinks: list[int], scope: Scope, frame: Frame, nest: int
) -> None:
    """``echo 'rm -rf /' | sh`` and ``cat <<EOF | sh``: re-parse the text a shell
    reads from the pipe when the upstream command prints it literally."""
    for sink in sinks:
        shell = walker.commands[sink]
        if not launchers.reads_script_from_stdin(shell):
            continue
        if any(redirect.body is not None for redirect in shell.redirects):
            continue
        for source in sources:
            script = launchers.printed_text(walker.commands[source])
            if script is not None:
                what = f"text piped from {walker.commands[source].name} into {shell.name}"
                walker.reparse(
                    script, shell, scope, frame, nest, origin=Origin.STDIN_SCRIPT, what=what
                )


def run_written_script(
    walker: Walker, command: SimpleCommand, scope: Scope, frame: Frame, nest: int
) -> list[int]:
    """``cat > x.sh <<EOF ... EOF; sh x.sh``: a script whose text the same input wrote is
    analysed where it runs (``sh x.sh``, ``source x.sh``, ``./x.sh``, ``sh < x.sh``)."""
    path = launchers.script_path(command)
    if path is None or not path.static:
        return []
    script = walker.contents.get(path_key(command.cwd, path.value))
    if script is None:
        return []
    first_line = script.value.split("\n", 1)[0]
    if first_line.startswith("#!") and not any(shell in first_line for shell in launchers.SHELLS):
        return []  # a script for another interpreter (#!/usr/bin/env python)
    return walker.reparse(
        script,
        command,
        scope,
        frame,
        nest,
        origin=Origin.SCRIPT_FILE,
        what=f"{path.value}, written earlier and run by {command.name}",
    )


Follow = Callable[["Walker", SimpleCommand, Scope, "Frame", int], list[int]]

FOLLOW: dict[str, Follow] = {
    **dict.fromkeys(launchers.SHELLS, follow_shell),
    "eval": follow_eval,
    "alias": follow_alias,
    "exec": follow_exec,
    "ssh": follow_remote,
    "docker": follow_container,
    "podman": follow_container,
    "kubectl": follow_container,
    "oc": follow_container,
    "sudo": follow_stdin_script,
    "doas": follow_stdin_script,
    "su": follow_command_string,
    "runuser": follow_command_string,
    "script": follow_command_string,
    "flock": follow_command_string,
    "parallel": follow_parallel,
    "trap": follow_trap,
    "watch": follow_watch,
    "find": follow_find,
    "curl": follow_downloader,
    "wget": follow_downloader,
    "tee": follow_downloader,
    "cp": follow_copy,
    "mv": follow_copy,
    "cd": follow_directory_change,
    "pushd": follow_directory_change,
    "popd": follow_directory_change,
    "read": follow_read,
    "mapfile": follow_read,
    "readarray": follow_read,
}
