"""The wait_for_db command used at container start."""

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_wait_for_db_returns_once_the_database_answers(capsys):
    call_command("wait_for_db", timeout=5)

    assert "Database available." in capsys.readouterr().out


# The command closes the failed connection between attempts, which needs a
# real transaction boundary rather than the test's wrapping atomic block.
@pytest.mark.django_db(transaction=True)
def test_wait_for_db_retries_then_succeeds(monkeypatch, capsys):
    from django.db.backends import utils

    real_execute = utils.CursorWrapper.execute
    failures = iter([True, True])

    def flaky_execute(self, *args, **kwargs):
        if next(failures, False):
            raise OperationalError("the database system is starting up")
        return real_execute(self, *args, **kwargs)

    monkeypatch.setattr(utils.CursorWrapper, "execute", flaky_execute)

    call_command("wait_for_db", timeout=10, interval=0.01)

    captured = capsys.readouterr()
    assert captured.err.count("Waiting for the database") == 2
    assert "Database available." in captured.out


@pytest.mark.django_db(transaction=True)
def test_wait_for_db_gives_up_after_the_timeout(monkeypatch):
    from django.db.backends import utils

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(utils.CursorWrapper, "execute", refuse)

    with pytest.raises(CommandError, match="still unavailable"):
        call_command("wait_for_db", timeout=0.05, interval=0.01)
