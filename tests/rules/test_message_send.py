"""message.send: email, chat messages and notifications that reach people."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.message.send import RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import hits

SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"

POSITIVE = [
    "sendmail -t < mail.txt",
    "echo 'deploy done' | /usr/sbin/sendmail ops@example.com",
    "mail -s 'Report' team@example.com < report.txt",
    "echo body | mailx -s subject -a report.pdf boss@example.com",
    "mutt -s 'Invoice' -a invoice.pdf -- client@example.com < body.txt",
    "msmtp -a work ops@example.com < msg.eml",
    "swaks --to ops@example.com --server smtp.example.com",
    "aws ses send-email --from a@example.com --to b@example.com --subject hi --text hi",
    "aws --region eu-west-1 ses send-raw-email --raw-message file://msg.json",
    "aws sesv2 send-email --from-email-address a@example.com --destination file://d.json",
    "aws sns publish --topic-arn arn:aws:sns:eu-west-1:1:alerts --message down",
    "gcloud pubsub topics publish alerts --message=down",
    "twilio api:core:messages:create --from +15550000 --to +15551111 --body hi",
    f"curl -X POST -H 'Content-type: application/json' --data '{{\"text\":\"hi\"}}' {SLACK}",
    f"curl -d @payload.json {SLACK}",
    f'curl --json \'{{"text":"hi"}}\' {SLACK}',
    f'sudo curl -sS -XPOST {SLACK} -d \'payload={{"text":"hi"}}\'',
    'curl -X POST -d \'{"text":"hi"}\' "$SLACK_WEBHOOK_URL"',
    "curl -H 'Authorization: Bearer x' -d channel=C1 -d text=hi https://slack.com/api/chat.postMessage",
    "curl -H 'Content-Type: application/json' -d '{\"content\":\"hi\"}' "
    "https://discord.com/api/webhooks/123/abc",
    'curl -d \'{"content":"hi"}\' https://discordapp.com/api/webhooks/123/abc',
    "curl -H 'Content-Type: application/json' -d '{\"text\":\"hi\"}' "
    "https://acme.webhook.office.com/webhookb2/xyz",
    'curl -d \'{"text":"hi"}\' https://outlook.office.com/webhook/abc',
    "curl -s 'https://api.telegram.org/bot123:ABC/sendMessage' -d chat_id=1 -d text=hi",
    "curl -X POST -d '{\"text\":\"hi\"}' 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k'",
    "curl -u AC1:tok -d Body=hi -d To=+1555 https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
    "curl -d 'backup finished' ntfy.sh/acme-alerts",
    f'wget --post-data=\'{{"text":"hi"}}\' -O- {SLACK}',
    f"http POST {SLACK} text=hi",
    f"http {SLACK} text=hi",
    f"xh post {SLACK} text=hi",
    f"bash -c \"curl -d '{{}}' {SLACK}\"",
    "python -c 'print(1)' && sendmail -t < out.eml",
    "slack chat send 'deployed' '#ops'",
    "telegram-send 'deploy finished'",
    "apprise -b 'done' 'slack://T/B/C'",
    "docker compose exec web mail -s deployed team@example.com < notes.txt",
]


@pytest.mark.parametrize("command", POSITIVE)
def test_flags(command: str) -> None:
    found = hits(RULE, command)
    assert len(found) == 1, command
    assert found[0].action_class is ActionClass.IRREVERSIBLE


NEGATIVE = [
    "mail",
    "mail -f ~/mbox",
    "mutt",
    "mutt -f ~/Mail/inbox",
    "sendmail -bp",
    f"curl {SLACK}",
    f"curl -I {SLACK}",
    'curl -d \'{"text":"hi"}\' https://api.example.com/messages',
    "curl -X POST -d @data.json http://localhost:8080/webhook",
    "curl -d '{\"q\":1}' https://hooks.slack.com.evil.example/services/x",
    "curl https://slack.com/api/chat.postMessage",
    'curl -X POST -d x "$API_URL"',
    "wget https://discord.com/api/webhooks/123/abc",
    f"http GET {SLACK}",
    "aws ses list-identities",
    "aws sns list-topics",
    "gcloud pubsub topics list",
    "echo 'curl -d hi https://hooks.slack.com/services/T/B/X'",
    "git commit -m 'send slack webhook on deploy'",
    "grep -rn hooks.slack.com .github/",
    "printf 'mail -s hi a@example.com\\n' >> notes.txt",
    "gh issue comment 12 --body 'done'",
    "notify-send 'build finished'",
]


@pytest.mark.parametrize("command", NEGATIVE)
def test_does_not_flag(command: str) -> None:
    assert hits(RULE, command) == []


def test_message_names_the_service() -> None:
    [hit] = hits(RULE, f'curl -d \'{{"text":"hi"}}\' {SLACK}')
    assert hit.message == (
        "`curl`: curl posts to a Slack webhook; a message that reached people cannot be recalled."
    )
    assert "let a human send it" in hit.remediation
