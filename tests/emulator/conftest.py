"""Shared fixtures for the emulator's own tests."""

from __future__ import annotations

import pytest

from emulator import FakeTelegram, FakeUser


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def ann() -> FakeUser:
    return FakeUser(1001, "Ann", username="ann_pt")


@pytest.fixture
def started(fake: FakeTelegram, ann: FakeUser) -> FakeTelegram:
    """A FakeTelegram where Ann has already written to the bot."""
    fake.user_sends_text(ann, "/start")
    fake.pop_pending_updates()
    return fake
