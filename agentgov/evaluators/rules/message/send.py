"""``message.send``: sending email, chat messages, texts or notifications to people.

Asks at every level: a message that reached someone cannot be recalled. Covers mail
senders (``sendmail``, ``mail``/``mailx`` with a recipient, ``mutt`` with a recipient or
``-s``, ``msmtp``, ``swaks``), cloud messaging (``aws ses send-email|send-raw-email``,
``sesv2 send-email``, ``aws sns publish``, ``pinpoint send-messages``, ``gcloud pubsub topics
publish``, ``az communication email send``), ``twilio api:...:messages:create``, ``slack chat
send``, ``telegram-send``, ``apprise``, and HTTP POSTs by ``curl``, ``wget``, HTTPie or xh to
chat and mail APIs: Slack webhooks and ``chat.postMessage``, Discord webhooks and channel
messages, Microsoft Teams webhooks, Telegram ``send*``, Google Chat, Zulip, Twilio, SendGrid,
Mailgun, Postmark, Resend, Pushover and ntfy. A POST to a URL held in a variable named for a
webhook (``"$SLACK_WEBHOOK_URL"``) counts too. Reading (``mail`` with no recipient, ``mutt
-f``, a GET of a webhook URL) is not sending; ``gh issue comment`` is left to the publish
class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.invocation import (
    Invocation,
    flag_values,
    has_flag,
    positionals,
    recognised_actions,
)
from agentgov.evaluators.shell.model import Analysis, Word
from agentgov.policy.model import ActionClass

# (host regex, path regex, service) for HTTP endpoints that deliver a message to people.
_ENDPOINTS: tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...] = tuple(
    (re.compile(host, re.I), re.compile(path, re.I), service)
    for host, path, service in (
        (r"hooks\.slack\.com", r"/.*", "a Slack webhook"),
        (r"(?:[\w-]+\.)?slack\.com", r"/api/(?:chat\.\w+|files\.upload\w*)", "the Slack API"),
        (
            r"(?:(?:ptb|canary)\.)?discord(?:app)?\.com",
            r"/api(?:/v\d+)?/(?:webhooks/.+|channels/\d+/messages)",
            "Discord",
        ),
        (r"outlook\.office(?:365)?\.com", r"/webhook.*", "a Microsoft Teams webhook"),
        (r"[\w-]+\.webhook\.office\.com", r"/.*", "a Microsoft Teams webhook"),
        (r"api\.telegram\.org", r"/bot[^/]+/send\w*", "Telegram"),
        (r"chat\.googleapis\.com", r"/v1/spaces/.*", "Google Chat"),
        (r"[\w-]+\.zulipchat\.com", r"/api/v1/messages.*", "Zulip"),
        (r"api\.twilio\.com", r"/.*/(?:Messages|Calls)(?:\.json)?", "Twilio"),
        (r"api\.sendgrid\.com", r"/v3/mail/send", "SendGrid"),
        (r"api(?:\.eu)?\.mailgun\.net", r"/v3/.*/messages.*", "Mailgun"),
        (r"api\.postmarkapp\.com", r"/email.*", "Postmark"),
        (r"api\.resend\.com", r"/emails.*", "Resend"),
        (r"api\.pushover\.net", r"/1/messages\.json", "Pushover"),
        (r"ntfy\.sh", r"/.+", "ntfy"),
    )
)
_URL = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://)?(?P<host>[^/\s:?#]+)(?::\d+)?(?P<path>/[^?#\s]*)?(?:[?#]\S*)?", re.I
)
_WEBHOOK_VARIABLE = re.compile(
    r"\$\{?(\w*(?:SLACK|DISCORD|TEAMS|WEBHOOK|TELEGRAM|MATTERMOST|GOOGLE_CHAT)\w*)", re.I
)


def _values(words: Sequence[Word]) -> list[str]:
    return [word.value for word in words]


def _endpoint(word: Word) -> str | None:
    """The messaging service a URL word delivers to, or None."""
    found = _WEBHOOK_VARIABLE.search(word.raw)
    if found is not None and not word.static:
        return f"the webhook in ${found.group(1)}"
    match = _URL.fullmatch(word.value.strip())
    if match is None:
        return None
    host, path = match.group("host"), match.group("path") or "/"
    for host_pattern, path_pattern, service in _ENDPOINTS:
        if host_pattern.fullmatch(host) and path_pattern.fullmatch(path):
            return service
    return None


# ---------------------------------------------------------------- HTTP clients

_CURL_DATA = frozenset(
    {
        *("-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii"),
        *("-F", "--form", "--form-string", "--json", "-T", "--upload-file"),
    }
)
_CURL_VALUES = frozenset(
    {
        *_CURL_DATA,
        *("-H", "--header", "-X", "--request", "-o", "--output", "-u", "--user", "-A"),
        *("--user-agent", "-e", "--referer", "-b", "--cookie", "-c", "--cookie-jar", "-m"),
        *("--max-time", "--connect-timeout", "-x", "--proxy", "-w", "--write-out", "--url"),
        *("-K", "--config", "--retry", "--cacert", "--cert", "--key", "-E", "-r", "--range"),
        *("--resolve", "--interface", "--limit-rate", "-y", "-Y", "-z", "--oauth2-bearer"),
    }
)
_SENDING_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _curl(invocation: Invocation) -> str | None:
    args = invocation.args
    method = next(iter(flag_values(args, ("-X", "--request"))), "")
    for word in args:
        if word.value.startswith("-X") and len(word.value) > 2:
            method = word.value[2:]
    posts = has_flag(args, _CURL_DATA) or method.upper() in _SENDING_METHODS
    if not posts:
        return None
    for url in (*positionals(args, _CURL_VALUES), *_flag_words(args, ("--url",))):
        service = _endpoint(url)
        if service is not None:
            return f"curl posts to {service}"
    return None


def _flag_words(args: Sequence[Word], names: tuple[str, ...]) -> list[Word]:
    found: list[Word] = []
    for position, word in enumerate(args):
        if word.value in names and position + 1 < len(args):
            found.append(args[position + 1])
        elif any(word.value.startswith(name + "=") for name in names):
            value = word.value.split("=", 1)[1]
            found.append(Word(value, value, word.static))
    return found


_WGET_POST = ("--post-data", "--post-file", "--body-data", "--body-file")
_WGET_VALUES = (
    *_WGET_POST,
    *("--method", "-O", "--output-document", "-o", "--output-file", "--header", "-U"),
    *("--user-agent", "-t", "--tries", "-T", "--timeout", "--user", "--password", "-P"),
)


def _wget(invocation: Invocation) -> str | None:
    args = invocation.args
    methods = {value.upper() for value in flag_values(args, ("--method",))}
    if not has_flag(args, _WGET_POST) and not methods & _SENDING_METHODS:
        return None
    for url in positionals(args, _WGET_VALUES):
        service = _endpoint(url)
        if service is not None:
            return f"wget posts to {service}"
    return None


_HTTPIE_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_HTTPIE_VALUES = (
    *("-a", "--auth", "-A", "--auth-type", "-o", "--output", "--session", "--raw"),
    *("-p", "--print", "--verify", "--cert", "--timeout", "--proxy"),
)
_HTTPIE_DATA = re.compile(r"[^:=@]+(?:=|:=|@|=@|:=@)")


def _httpie(invocation: Invocation) -> str | None:
    args = invocation.args
    words = list(positionals(args, _HTTPIE_VALUES))
    if not words:
        return None
    method = ""
    if words[0].value.upper() in _HTTPIE_METHODS and len(words) > 1:
        method = words.pop(0).value.upper()
    url, items = words[0], words[1:]
    has_data = any(_HTTPIE_DATA.match(item.value) for item in items) or has_flag(
        args, ("--raw", "-f", "--form", "--multipart")
    )
    if method not in _SENDING_METHODS and not (method == "" and has_data):
        return None
    service = _endpoint(url)
    return f"{invocation.tool} posts to {service}" if service is not None else None


# ---------------------------------------------------------------- mail and messaging CLIs


def _sendmail(invocation: Invocation) -> str | None:
    for value in invocation.values():
        if value in ("-bp", "-bv", "-bt", "-bi", "--version", "--help", "-P", "--pretend"):
            return None
        if value.startswith(("--serverinfo", "--rmqs")):
            return None
    return f"{invocation.tool} sends mail"


_MAIL_VALUES = ("-s", "-c", "-b", "-r", "-a", "-A", "-S", "-q", "-u", "-T", "-e", "-F", "-i")


def _mail(invocation: Invocation) -> str | None:
    args = invocation.args
    if has_flag(args, ("-f", "-H", "-e", "-N", "--help", "-h")) and not has_flag(args, ("-s",)):
        return None
    recipients = positionals(args, _MAIL_VALUES)
    if not recipients:
        return None
    return f"{invocation.tool} sends mail to {recipients[0].value}"


_MUTT_VALUES = ("-s", "-c", "-b", "-a", "-i", "-F", "-e", "-f", "-H", "-m", "-n", "-Q")


def _mutt(invocation: Invocation) -> str | None:
    args = invocation.args
    if has_flag(args, ("-f", "-y", "-Z", "-z", "-Q", "-D", "-v", "-h")):
        return None
    recipients = positionals(args, _MUTT_VALUES)
    if recipients or has_flag(args, ("-s", "-H")):
        return f"{invocation.tool} sends mail"
    return None


def _swaks(invocation: Invocation) -> str | None:
    if has_flag(invocation.args, ("--help", "--version", "--dump", "--dump-as-body")):
        return None
    return "swaks sends mail"


_AWS_VALUES = ("--region", "--profile", "--output", "--endpoint-url", "--query")
_AWS_SENDS = frozenset(
    {
        ("ses", "send-email"),
        ("ses", "send-raw-email"),
        ("ses", "send-templated-email"),
        ("ses", "send-bulk-templated-email"),
        ("sesv2", "send-email"),
        ("sesv2", "send-bulk-email"),
        ("sns", "publish"),
        ("sns", "publish-batch"),
        ("pinpoint", "send-messages"),
        ("pinpoint", "send-users-messages"),
        ("pinpoint-sms-voice-v2", "send-text-message"),
        ("pinpoint-sms-voice-v2", "send-voice-message"),
    }
)


def _aws(invocation: Invocation) -> str | None:
    words = _values(positionals(invocation.args, _AWS_VALUES))
    if tuple(words[:2]) in _AWS_SENDS and not has_flag(
        invocation.args, ("--generate-cli-skeleton",)
    ):
        return f"aws {words[0]} {words[1]}"
    return None


def _gcloud(invocation: Invocation) -> str | None:
    words = [
        word
        for word in _values(positionals(invocation.args, ("--project", "--message", "--attribute")))
        if word not in ("alpha", "beta")
    ]
    if words[:3] == ["pubsub", "topics", "publish"]:
        return "gcloud pubsub topics publish"
    return None


def _az(invocation: Invocation) -> str | None:
    words = _values(positionals(invocation.args, ("--sender", "--to", "--subject", "--text")))
    if words[:3] in (["communication", "email", "send"], ["communication", "sms", "send"]):
        return f"az communication {words[1]} send"
    return None


_TWILIO_SEND = re.compile(r"api:[\w.:-]*:(?:messages|calls):create", re.I)


def _twilio(invocation: Invocation) -> str | None:
    for value in invocation.values()[:1]:
        if _TWILIO_SEND.fullmatch(value):
            return f"twilio {value}"
    return None


def _slack(invocation: Invocation) -> str | None:
    words = _values(positionals(invocation.args, ("-c", "--channel", "-t", "--token")))
    if words[:2] in (["chat", "send"], ["file", "upload"]):
        return f"slack {words[0]} {words[1]}"
    return None


def _always(action: str, *not_sending: str) -> Callable[[Invocation], str | None]:
    def recognise(invocation: Invocation) -> str | None:
        if has_flag(invocation.args, ("--help", "-h", "--version", *not_sending)):
            return None
        return action

    return recognise


_RECOGNISERS: dict[str, Callable[[Invocation], str | None]] = {
    "curl": _curl,
    "wget": _wget,
    "http": _httpie,
    "https": _httpie,
    "xh": _httpie,
    "xhs": _httpie,
    "sendmail": _sendmail,
    "msmtp": _sendmail,
    "ssmtp": _sendmail,
    "mail": _mail,
    "mailx": _mail,
    "s-nail": _mail,
    "mutt": _mutt,
    "neomutt": _mutt,
    "swaks": _swaks,
    "aws": _aws,
    "gcloud": _gcloud,
    "az": _az,
    "twilio": _twilio,
    "slack": _slack,
    "telegram-send": _always("telegram-send sends a Telegram message", "--configure"),
    "apprise": _always("apprise sends a notification", "--dry-run", "-d"),
}


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for command, action in recognised_actions(analysis, _RECOGNISERS):
        message = f"`{command.name}`: {action}; a message that reached people cannot be recalled."
        remediation = (
            "Draft the message here and let a human send it, or point the command at a "
            "local mock server (a `localhost` URL, a sandbox SMTP such as MailHog) to test."
        )
        yield RULE.hit(command.text, message, remediation)


RULE = Rule(
    id="message.send",
    action_class=ActionClass.IRREVERSIBLE,
    summary="Sending email, chat messages or notifications: sendmail, mail, SES/SNS, and "
    "POSTs to Slack, Discord, Teams or Telegram webhooks.",
    example='curl -X POST -d \'{"text":"deployed"}\' https://hooks.slack.com/services/T0/B0/x',
    evaluate=_evaluate,
)
