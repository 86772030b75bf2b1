"""The admin site's frame: "View site", refusals inside the admin, the icon."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import otp_force_login

pytestmark = pytest.mark.django_db


def staff_client(role: Role) -> Client:
    client = Client()
    otp_force_login(client, UserFactory.create(role=role))
    return client


def test_view_site_leads_to_the_api_docs_which_answer():
    client = staff_client(Role.EDITOR)

    index = client.get(reverse("admin:index"))
    docs = client.get(index.context["site_url"])

    assert index.status_code == 200
    assert index.context["site_url"] == "/api/docs/"
    assert '<a href="/api/docs/">View site</a>' in index.content.decode()
    assert docs.status_code == 200


def test_a_refused_admin_page_is_a_403_inside_the_admin_layout():
    response = staff_client(Role.EDITOR).get(reverse("admin:accounts_user_changelist"))

    content = response.content.decode()
    assert response.status_code == 403
    assert "admin/403.html" in [template.name for template in response.templates]
    assert '<div id="site-name">' in content
    assert 'id="user-tools"' in content
    assert '<div class="breadcrumbs">' in content
    assert f'<a href="{reverse("admin:index")}" class="button">' in content
    assert "no-cache" in response["Cache-Control"]


def test_a_refused_post_is_a_403_inside_the_admin_layout_too():
    response = staff_client(Role.EDITOR).post(
        reverse("admin:accounts_user_add"), {"email": "new@example.com"}
    )

    assert response.status_code == 403
    assert "admin/403.html" in [template.name for template in response.templates]


def test_admin_pages_link_the_icon():
    client = Client()

    login = client.get(reverse("admin:login")).content.decode()
    index = staff_client(Role.ADMIN).get(reverse("admin:index")).content.decode()

    icon = '<link rel="icon" href="/static/inkwell/favicon.ico"'
    assert icon in login
    assert icon in index


def test_the_nav_sidebar_is_off_so_changelists_get_the_width():
    response = staff_client(Role.ADMIN).get(reverse("admin:posts_post_changelist"))

    assert response.status_code == 200
    assert response.context["is_nav_sidebar_enabled"] is False
    assert 'id="nav-sidebar"' not in response.content.decode()
