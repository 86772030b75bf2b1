"""Check that a CycloneDX SBOM lists exactly the lock's packages at its versions.

Usage: check_sbom.py SBOM LOCK

The lock's markers are evaluated for the running interpreter, which is the one
the SBOM's environment was built with (scripts/sbom.sh).
"""

import json
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Named in the issue that asked for the SBOM: they must be there, whatever else.
REQUIRED = ("django", "djangorestframework")


def locked_versions(lock: Path) -> dict[str, str]:
    """Return name -> version for the lock's pins that apply here."""
    pins: dict[str, str] = {}
    for line in lock.read_text().splitlines():
        if not re.match(r"[A-Za-z0-9]", line):  # hashes, comments, annotations
            continue
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is None or requirement.marker.evaluate():
            (version,) = (spec.version for spec in requirement.specifier)
            pins[canonicalize_name(requirement.name)] = version
    return pins


def sbom_versions(sbom: Path) -> dict[str, str]:
    """Return name -> version for the SBOM's components."""
    components = json.loads(sbom.read_text())["components"]
    return {canonicalize_name(c["name"]): c["version"] for c in components}


def differences(locked: dict[str, str], listed: dict[str, str]) -> list[str]:
    """Describe each package whose SBOM entry differs from the lock."""
    problems = [
        f"{name}: locked {locked.get(name)}, SBOM lists {listed.get(name)}"
        for name in sorted(locked.keys() | listed.keys())
        if locked.get(name) != listed.get(name)
    ]
    problems += [
        f"{name}: in neither the lock nor the SBOM"
        for name in REQUIRED
        if name not in locked and name not in listed
    ]
    return problems


def main(sbom: Path, lock: Path) -> int:
    """Compare the SBOM with the lock; print the outcome."""
    locked, listed = locked_versions(lock), sbom_versions(sbom)
    problems = differences(locked, listed)
    for problem in problems:
        print(f"SBOM mismatch: {problem}", file=sys.stderr)
    if not problems:
        print(f"{sbom}: {len(listed)} packages, as locked in {lock}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
