"""/favicon.ico answers with the icon the admin pages link."""

from django.contrib.staticfiles import finders
from django.test import Client


def test_favicon_is_the_static_icon(db):
    response = Client().get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    with open(str(finders.find("inkwell/favicon.ico")), "rb") as icon:
        assert response.content == icon.read()
    # An ICO file: reserved 0, type 1 (icon), then the number of images.
    assert response.content[:4] == b"\x00\x00\x01\x00"


def test_the_static_icon_is_served_by_whitenoise(db):
    response = Client().get("/static/inkwell/favicon.ico")

    assert response.status_code == 200
    assert response.getvalue()[:4] == b"\x00\x00\x01\x00"


def test_favicon_refuses_writes(db):
    response = Client().post("/favicon.ico")

    assert response.status_code == 405
