"""Mail tasks against a real SMTP server on loopback: sent, retried, failed."""

import socket
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from freezegun import freeze_time

from core.models import FailedTask
from tests.accounts.factories import UserFactory

RESET_URL = "/api/v1/auth/password/reset/"


class Mailbox:
    """An SMTP handler that keeps what it accepts, or answers with a set reply."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.reply = "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.reply.startswith("250"):
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return self.reply


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LoopbackSmtp:
    """An SMTP server on a fixed loopback port that can go down and come back."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        # A stopped Controller cannot start again: each start is a new one.
        self._controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp() -> Iterator[tuple[LoopbackSmtp, Mailbox]]:
    server = LoopbackSmtp()
    server.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=5,
    ):
        yield server, server.mailbox
    server.stop()


@pytest.mark.django_db
def test_the_reset_mail_is_delivered_over_smtp_by_the_worker(
    api_client, smtp, run_tasks
):
    _, mailbox = smtp
    UserFactory.create(email="ada@example.com")

    response = api_client.post(RESET_URL, {"email": "ada@example.com"})
    assert response.status_code == 202
    assert mailbox.messages == []
    run_tasks()

    [(recipients, content)] = mailbox.messages
    assert recipients == ["ada@example.com"]
    message = message_from_bytes(content)
    assert message["Subject"] == "Reset your Inkwell password"
    assert "reset-password?uid=" in message.get_payload()


@pytest.mark.django_db
def test_smtp_down_the_api_answers_and_the_mail_arrives_once_it_is_back(
    api_client, smtp, run_tasks
):
    controller, mailbox = smtp
    UserFactory.create(email="ada@example.com")
    controller.stop()

    with freeze_time("2026-01-01 12:00:00", real_asyncio=True) as clock:
        response = api_client.post(RESET_URL, {"email": "ada@example.com"})
        assert response.status_code == 202
        run_tasks()  # refused: a retry is scheduled
        assert mailbox.messages == []

        controller.start()
        clock.tick(60)
        run_tasks()

    assert [recipients for recipients, _ in mailbox.messages] == [["ada@example.com"]]
    assert not FailedTask.objects.exists()


@pytest.mark.django_db
def test_a_4xx_reply_is_retried_and_a_5xx_reply_fails_at_once(
    api_client, smtp, run_tasks
):
    _, mailbox = smtp
    UserFactory.create(email="ada@example.com")
    mailbox.reply = "451 4.3.0 Try again later"

    with freeze_time("2026-01-01 12:00:00", real_asyncio=True) as clock:
        api_client.post(RESET_URL, {"email": "ada@example.com"})
        run_tasks()
        assert not FailedTask.objects.exists()  # transient: waiting to retry

        mailbox.reply = "554 5.7.1 Rejected"
        clock.tick(60)
        run_tasks()

    failure = FailedTask.objects.get()
    assert failure.task_name == "send_password_reset_email"
    assert failure.kwargs == {"email": "ada@example.com"}
    assert failure.attempts == 2
    assert failure.error_class == "smtplib.SMTPDataError"
    assert mailbox.messages == []
