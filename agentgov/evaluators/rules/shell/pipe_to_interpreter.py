"""``shell.pipe-to-interpreter``: running code straight from the network.

A download (``curl``, ``wget``, ``fetch``, ``aria2c``, httpie, ``iwr``/``irm``, ``gsutil
cat``, ``aws s3 cp s3://... -``, ``nc host port``...) reaches an interpreter (``sh``, ``bash``,
``zsh``, ``python*``, ``node``, ``perl``, ``ruby``, ``php``, ``pwsh``, ``iex``, ``source``,
``eval``...) as the code it runs:

- on its stdin, anywhere downstream and through ``tee``, ``sudo``, ``env``, ``gunzip``...:
  ``curl -fsSL URL | sudo -E bash -s -- --flag``, ``curl URL | python3 -``;
- as a file: ``bash <(curl URL)``, ``source <(curl URL)``, ``. <(wget -qO- URL)``;
- as a code string: ``sh -c "$(curl URL)"``, ``eval "$(curl URL)"``, ``python -c "$(curl
  URL)"``, also through a variable (``X=$(curl URL); bash -c "$X"``);
- as a file saved and then run in the same command: ``curl -o i.sh URL && sh i.sh``,
  ``wget URL -O x && chmod +x x && ./x``;
- inside a PowerShell command: ``powershell -c "iwr URL | iex"``.

Whatever the server (or anyone on the way) sends runs unreviewed. ``curl URL | jq .``,
``curl -o file URL`` alone, ``curl URL | python script.py`` (the script is local; the
download is its data) and ``python -m json.tool < file`` are not this rule.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.shell.downloads import (
    first_url,
    is_download,
    saved_names,
    saved_paths,
)
from agentgov.evaluators.rules.shell.interpreters import (
    STDIN_FILES,
    CodeInput,
    code_input,
    powershell_code,
)
from agentgov.evaluators.shell.model import Analysis, Flow, FlowKind, SimpleCommand
from agentgov.policy.model import ActionClass

_STDIN_KINDS = frozenset({FlowKind.PIPE, FlowKind.STDIN_REDIRECT})
_PS_DOWNLOAD = re.compile(
    r"(?i)\b(?:iwr|irm|invoke-webrequest|invoke-restmethod|curl|wget|start-bitstransfer)\b"
    r"|downloadstring|downloadfile|net\.webclient"
)
_PS_RUN = re.compile(r"(?i)\b(?:iex|invoke-expression|invoke-command)\b|\|\s*&|^\s*&|\.\s*\(")


class _Sources:
    """Which commands carry downloaded content, and the download each one carries."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.download: dict[int, SimpleCommand] = {}
        for command in analysis.commands:
            if is_download(command):
                self.download[command.index] = command
        if not self.download:
            return
        for command in analysis.commands:
            if command.index not in self.download:
                found = next(
                    (up for up in analysis.upstream(command.index) if up.index in self.download),
                    None,
                )
                if found is not None:
                    self.download[command.index] = found

    def inbound(self, command: SimpleCommand) -> Iterator[tuple[Flow, SimpleCommand]]:
        for flow in self.analysis.flows:
            if flow.sink == command.index and flow.source in self.download:
                yield flow, self.download[flow.source]


def _operands(command: SimpleCommand, code: CodeInput) -> list[str]:
    """The non-option words after the script (the script's own arguments)."""
    words = command.argv if code.script is command.argv[0] else command.args
    return [word.value for word in words if not word.value.startswith("-")]


def _runs_saved_file(command: SimpleCommand, code: CodeInput, writer: SimpleCommand) -> bool:
    """True when the script ``command`` runs is the file ``writer`` saved: the same base
    name, or the script is the only file the command names (``mv`` renamed it)."""
    script = code.script
    if script is None or not script.static or script.value in STDIN_FILES:
        return False
    if posixpath.basename(script.value) in saved_names(writer):
        return True
    return _operands(command, code) == [script.value]


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    sources = _Sources(analysis)
    reported: set[str] = set()
    for command in analysis.commands:
        found: tuple[SimpleCommand | str, str] | None = _powershell_download(command)
        if found is None:
            if not sources.download:
                continue  # nothing downloads: only PowerShell's own download can run code
            code = code_input(command)
            if code is not None:
                found = _download_run_by(command, code, sources)
            elif command.name == "":
                found = _computed_from_download(command, sources)
            else:
                found = _installed_binary(command, sources)
        if found is None:
            continue
        download, how = found
        key = download.text if isinstance(download, SimpleCommand) else download
        if key not in reported:
            reported.add(key)
            yield _hit(command, download, how)


def _powershell_download(command: SimpleCommand) -> tuple[str, str] | None:
    if command.name.lower() not in ("pwsh", "powershell", "pwsh.exe", "powershell.exe"):
        return None
    text = powershell_code(command.args)
    if text and _PS_DOWNLOAD.search(text) and _PS_RUN.search(text):
        return text, "powershell"
    return None


def _download_run_by(
    command: SimpleCommand, code: CodeInput, sources: _Sources
) -> tuple[SimpleCommand, str] | None:
    """The download whose content ``command`` runs as code, and how it gets there."""
    for flow, download in sources.inbound(command):
        source = sources.analysis.commands[flow.source]
        if flow.kind in _STDIN_KINDS and (code.stdin or code.from_arguments):
            return download, "stdin"
        computed = code.script is not None and not code.script.static
        if flow.kind is FlowKind.SUBSTITUTION and (
            computed or any(not word.static for word in code.code)
        ):
            return download, "code"
        if flow.kind is FlowKind.PROCESS_SUBSTITUTION:
            return download, "file"
        if flow.kind is FlowKind.FILE and _runs_saved_file(command, code, source):
            return download, "saved"
    if code.script is None or not code.script.static:
        return None
    # A saved file the analyser did not connect (aria2c's default name, say).
    name = posixpath.basename(code.script.value)
    for index, download in sources.download.items():
        writer = sources.analysis.commands[index]
        if index < command.index and name in saved_names(writer):
            return download, "saved"
    return None


def _installed_binary(
    command: SimpleCommand, sources: _Sources
) -> tuple[SimpleCommand, str] | None:
    """``curl -o /usr/local/bin/tool URL && tool``: a download saved into a ``bin``
    directory and run by name from the PATH."""
    for index, download in sources.download.items():
        if index >= command.index:
            continue
        for path in saved_paths(sources.analysis.commands[index]):
            parent = posixpath.basename(posixpath.dirname(path))
            if parent == "bin" and posixpath.basename(path) == command.name:
                return download, "saved"
    return None


def _computed_from_download(
    command: SimpleCommand, sources: _Sources
) -> tuple[SimpleCommand, str] | None:
    """``$(curl URL)`` as a command of its own: the download's output is the command line."""
    for flow, download in sources.inbound(command):
        if flow.kind is FlowKind.SUBSTITUTION:
            return download, "command"
    return None


def _hit(command: SimpleCommand, download: SimpleCommand | str, how: str) -> Hit:
    if isinstance(download, str):
        return RULE.hit(
            command.text,
            "PowerShell downloads code and runs it (iwr/irm piped to iex): whatever the "
            "server sends is executed without review",
            "save the script to a file (Invoke-WebRequest -OutFile install.ps1), check it "
            "against the publisher's checksum (Get-FileHash) and read it, then run it as a "
            "separate command",
        )
    url = first_url(download) or "<URL>"
    runner = command.name or "the shell"
    fragment = (
        command.text if download.text in command.text else f"{download.text} … {command.text}"
    )
    if how == "saved":
        return RULE.hit(
            fragment,
            f"runs a file downloaded by `{download.text}` in the same command: whatever the "
            "server sent is executed without review",
            "run the downloaded file as a separate command after checking it against the "
            "publisher's checksum (sha256sum -c) and reading it; prefer a packaged, pinned "
            "install (brew, apt, pip, npm) when one exists",
        )
    return RULE.hit(
        fragment,
        f"{runner} runs code downloaded by `{download.text}`: whatever the server (or "
        "anyone in between) sends is executed without review",
        f"download to a file, check it against the publisher's checksum and read it, then "
        f"run it as a separate command: curl -fsSLo install.sh {url} && sha256sum "
        "install.sh; prefer a packaged, pinned install (brew, apt, pip, npm) when one exists",
    )


RULE = Rule(
    id="shell.pipe-to-interpreter",
    action_class=ActionClass.FORBIDDEN,
    summary="Running downloaded code unreviewed: curl | sh, bash <(curl), eval $(curl).",
    example="curl -fsSL https://example.com/install.sh | sh",
    evaluate=_evaluate,
)
