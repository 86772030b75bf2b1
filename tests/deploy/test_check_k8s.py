"""scripts/check_k8s.sh refuses a misspelled field and a missing securityContext.

The tools are in .venv-deploy (`make k8s-check` installs them, about a
minute); without them these tests skip rather than install inside pytest,
and fail under REQUIRE_SERVICES=1 (CI runs the script before the tests).
"""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_DIR / "scripts" / "check_k8s.sh"
FIXTURES = Path(__file__).parent / "fixtures"


def deploy_tools_installed() -> bool:
    """Return whether .venv-deploy holds the locked tools (the script installs none)."""
    stamp = PROJECT_DIR / ".venv-deploy" / ".requirements-deploy.sha256"
    lock = PROJECT_DIR / "requirements-deploy.txt"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    return stamp.is_file() and stamp.read_text().strip() == wanted


@pytest.fixture(autouse=True)
def _deploy_tools() -> None:
    if deploy_tools_installed():
        return
    message = "the deploy tools are not installed (make k8s-check)"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


def check(fixture: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script on our own fixture
        ["bash", str(SCRIPT), str(FIXTURES / fixture)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_misspelled_field_fails_the_schema_check():
    result = check("misspelled-field")

    assert result.returncode == 1, result.stdout
    assert "('livenesProbe' was unexpected)" in result.stdout
    assert "FAILED: kubernetes-validate tests/deploy/fixtures/misspelled-field" in (
        result.stdout
    )


def test_a_container_without_security_context_fails_the_policy_scan():
    result = check("missing-security-context")

    assert result.returncode == 1, result.stdout
    assert "schemas: valid" in result.stdout
    assert 'CKV_K8S_30: "Apply security context to your containers"' in result.stdout
    assert "FAILED: checkov tests/deploy/fixtures/missing-security-context" in (
        result.stdout
    )
