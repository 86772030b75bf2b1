"""Every variable the settings read is documented in .env.example and the README."""

import re
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
ENV_READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")
SHELL_READ = re.compile(r"\$\{([A-Z][A-Z0-9_]+)")


def variables_read_by_settings() -> set[str]:
    """Return the variables read by settings, gunicorn.conf.py and the entrypoint."""
    names = set()
    for path in [
        *(PROJECT_DIR / "config" / "settings").glob("*.py"),
        PROJECT_DIR / "gunicorn.conf.py",
    ]:
        names.update(ENV_READ.findall(path.read_text()))
    names.update(
        SHELL_READ.findall((PROJECT_DIR / "scripts" / "entrypoint.sh").read_text())
    )
    return names


def test_settings_read_some_variables():
    assert {
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
    } <= variables_read_by_settings()


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_variable_is_documented(document):
    text = (PROJECT_DIR / document).read_text()

    undocumented = {name for name in variables_read_by_settings() if name not in text}

    assert undocumented == set()
