"""The Kubernetes manifests agree with the app: the variables and the stop timing."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.core.test_configuration_docs import variables_read_by_settings

PROJECT_DIR = Path(__file__).resolve().parents[2]
MANIFESTS = PROJECT_DIR / "deploy" / "k8s"
# Read by Django itself, or only by Kubernetes to build another variable.
NOT_READ_BY_SETTINGS = {"DJANGO_SETTINGS_MODULE", "INKWELL_HOSTS", "POD_IP"}


def env_file_names(text: str) -> set[str]:
    """Return the names a KEY=value file (a ConfigMap generator's) sets."""
    lines = (line.strip() for line in text.splitlines())
    return {line.split("=", 1)[0] for line in lines if line and line[0] != "#"}


def container_env_names(node: Any) -> Iterator[str]:
    """Yield every name in an ``env`` list and every generator literal's key."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "env" and isinstance(value, list):
                yield from (item["name"] for item in value)
            elif key == "literals":
                yield from (literal.split("=", 1)[0] for literal in value)
            else:
                yield from container_env_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from container_env_names(item)


def variables_set_by_manifests() -> set[str]:
    names: set[str] = set()
    for path in MANIFESTS.rglob("*.env"):
        names |= env_file_names(path.read_text())
    for path in MANIFESTS.rglob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text()):
            names.update(container_env_names(document))
    return names


def base_manifest(name: str) -> dict[str, Any]:
    return yaml.safe_load((MANIFESTS / "base" / name).read_text())


def base_config() -> dict[str, str]:
    text = (MANIFESTS / "base" / "config.env").read_text()
    lines = (line.strip() for line in text.splitlines())
    return dict(line.split("=", 1) for line in lines if line and line[0] != "#")


def test_manifests_set_the_pool_gunicorn_and_worker_variables():
    assert {
        "DB_POOL_MAX_SIZE",
        "GUNICORN_GRACEFUL_TIMEOUT",
        "WORKER_METRICS_PORT",
        "DJANGO_ALLOWED_HOSTS",
    } <= variables_set_by_manifests()


def test_every_variable_the_manifests_set_is_read_by_the_app():
    unread = (
        variables_set_by_manifests()
        - variables_read_by_settings()
        - NOT_READ_BY_SETTINGS
    )

    assert unread == set()


def test_web_grace_period_outlasts_pre_stop_and_gunicorn_graceful_timeout():
    pod = base_manifest("web-deployment.yaml")["spec"]["template"]["spec"]
    pre_stop = pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    config = base_config()
    graceful = int(config["GUNICORN_GRACEFUL_TIMEOUT"])
    drain = int(config["GUNICORN_DRAIN_SECONDS"])

    assert drain < graceful
    assert pod["terminationGracePeriodSeconds"] > pre_stop + graceful


def test_worker_grace_period_is_the_two_minutes_a_task_gets_to_finish():
    pod = base_manifest("worker-deployment.yaml")["spec"]["template"]["spec"]

    assert pod["terminationGracePeriodSeconds"] == 120
