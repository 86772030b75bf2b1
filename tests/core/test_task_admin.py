"""Failed tasks in the admin: shown to admins with their details, retried from there."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Role
from core.admin_site import SHORT_DATETIME_FORMAT
from core.background import enqueue
from core.models import FailedTask
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import otp_force_login
from tests.core import sample_tasks

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:core_failedtask_changelist")


def client_for(role: Role) -> Client:
    client = Client()
    otp_force_login(client, UserFactory.create(role=role))
    return client


@pytest.fixture
def failure(run_tasks) -> FailedTask:
    enqueue(sample_tasks.crash, reason="bad data")
    run_tasks()
    return FailedTask.objects.get()


def test_admins_see_the_failed_task_with_its_error_and_attempts(failure):
    response = client_for(Role.ADMIN).get(CHANGELIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert "crash" in page
    assert "builtins.ValueError" in page


def test_the_failed_task_list_shows_short_dates(failure):
    response = client_for(Role.ADMIN).get(CHANGELIST)

    failed_at = timezone.localtime(failure.failed_at).strftime(SHORT_DATETIME_FORMAT)
    assert response.status_code == 200
    assert (
        f'<td class="field-failed_at"><span class="nowrap">{failed_at}</span></td>'
        in response.content.decode()
    )


def test_the_failure_page_shows_arguments_error_and_traceback(failure):
    url = reverse("admin:core_failedtask_change", args=[failure.pk])

    response = client_for(Role.ADMIN).get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "bad data" in page
    assert "ValueError: bad data" in page
    assert "raise ValueError(reason)" in page


def test_editors_cannot_see_failed_tasks(failure):
    response = client_for(Role.EDITOR).get(CHANGELIST)

    assert response.status_code == 403


def test_the_retry_action_enqueues_the_task_again_once(failure, run_tasks):
    boss = client_for(Role.ADMIN)
    action = {"action": "retry", "_selected_action": [failure.pk]}

    response = boss.post(CHANGELIST, action, follow=True)
    again = boss.post(CHANGELIST, action, follow=True)

    assert "1 task(s) enqueued again." in response.content.decode()
    assert "1 had been retried already." in again.content.decode()
    failure.refresh_from_db()
    assert failure.retried_at is not None
    ready = DBTaskResult.objects.filter(status="READY")
    assert [row.args_kwargs["kwargs"] for row in ready] == [{"reason": "bad data"}]
    run_tasks()
    assert FailedTask.objects.count() == 2  # it failed again: a new record
