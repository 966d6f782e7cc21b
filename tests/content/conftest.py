"""A private copy of the shipped content to break, English only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import CONTENT_ROOT, FALLBACK_LOCALE


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """content/ as shipped (its YAML files), with English as the only language."""
    root = tmp_path / "content"
    for path in CONTENT_ROOT.glob("*.yaml"):
        root.mkdir(exist_ok=True)
        shutil.copy(path, root / path.name)
    shutil.copytree(CONTENT_ROOT / "locales" / FALLBACK_LOCALE, root / "locales" / FALLBACK_LOCALE)
    return root
