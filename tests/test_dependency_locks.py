"""The hashed locks agree with the .in files they are compiled from."""

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT_DIR = Path(__file__).resolve().parent.parent
IN_FILES = sorted(PROJECT_DIR.glob("requirements*.in"))


def pins(path: Path) -> dict[str, str]:
    """Return name -> exact version for each requirement line of the file."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not re.match(r"[A-Za-z0-9]", line):  # options, hashes, comments
            continue
        requirement = Requirement(line.rstrip(" \\"))
        (version,) = (spec.version for spec in requirement.specifier)
        found[canonicalize_name(requirement.name)] = version
    return found


@pytest.mark.parametrize("in_file", IN_FILES, ids=lambda path: path.name)
def test_lock_has_every_pin_of_its_in_file(in_file: Path) -> None:
    """Fail when a .in file was edited without `make lock`."""
    locked = pins(in_file.with_suffix(".txt"))
    wanted = pins(in_file)

    stale = {name: v for name, v in wanted.items() if locked.get(name) != v}

    assert wanted
    assert stale == {}


def test_dev_lock_has_the_runtime_lock_versions() -> None:
    """Fail when the dev environment would test other versions than production."""
    runtime = pins(PROJECT_DIR / "requirements.txt")
    dev = pins(PROJECT_DIR / "requirements-dev.txt")

    differing = {
        name: (v, dev.get(name)) for name, v in runtime.items() if dev.get(name) != v
    }

    assert differing == {}
