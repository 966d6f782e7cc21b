"""The Dockerfile and compose file say what the README promises (no Docker engine runs here)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_two_webhook_instances_on_postgres() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"db", "bot-1", "bot-2"} <= services.keys()
    for name in ("bot-1", "bot-2"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert "WEBHOOK_SECRET" in environment
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


def test_image_is_multi_stage_non_root_and_runs_migrations_then_the_bot() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sum(line.startswith("FROM ") for line in lines) == 2
    user = [line for line in lines if line.startswith("USER ")]
    assert user
    assert user[-1] != "USER root"
    assert lines[-1] == 'CMD ["reed", "run"]'  # `reed run` applies migrations first
