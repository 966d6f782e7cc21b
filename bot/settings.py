"""Typed settings read from the environment (and an optional ``.env`` file).

Nothing here runs at import time: call :func:`get_settings` where settings are needed.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///reed.db"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def async_database_url(url: str) -> str:
    """Accept the plain URLs operators paste and pick the async driver for them.

    ``postgresql://`` (or ``postgres://``) becomes ``postgresql+asyncpg://`` and ``sqlite://``
    becomes ``sqlite+aiosqlite://``; a URL naming any other driver raises :class:`ValueError`.
    """
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        raise ValueError("use a postgresql:// or sqlite:// URL")
    return url


class SettingsError(ValueError):
    """Raised with a readable, operator-facing explanation when settings are invalid."""


class Settings(BaseSettings):
    """Everything an operator can configure. Field names map to upper-case env variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: AnyHttpUrl = Field(default=AnyHttpUrl(DEFAULT_TELEGRAM_API_URL))
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    log_level: LogLevel = "INFO"

    # Reminders. A reminder that fell due while the bot was down is sent late within the
    # grace window and recorded as missed after it.
    reminder_grace_minutes: int = Field(default=120, ge=0, le=24 * 60)
    reminder_poll_seconds: float = Field(default=10.0, gt=0, le=300)
    reminder_batch_size: int = Field(default=200, ge=1, le=5000)
    # A claim not recorded as sent within this time is retried (its process likely died).
    reminder_claim_lease_seconds: float = Field(default=120.0, gt=0)
    # Reminder sends in flight at once: a reply to a person queues behind at most this many,
    # and a killed process leaves at most twice this many sent but unrecorded.
    reminder_send_concurrency: int = Field(default=4, ge=1, le=500)
    # Outgoing messages per second overall; 0 turns the rate limiter off (benchmarks only).
    telegram_rate_limit: float = Field(default=29.5, ge=0, le=1000)

    @field_validator("telegram_bot_token", "webhook_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _blank_url_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return async_database_url(value)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and ":" not in value.get_secret_value():
            raise ValueError("a bot token looks like 123456:ABC-DEF... (ask @BotFather)")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError("WEBHOOK_URL is set, so WEBHOOK_SECRET must be set too")
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_batch(self) -> Settings:
        """A claim's lease must outlast sending its whole batch, or a second instance would
        take over reminders that are still being sent."""
        if self.telegram_rate_limit > 0:
            needed = 2 * self.reminder_batch_size / self.telegram_rate_limit
            if self.reminder_claim_lease_seconds < needed:
                raise ValueError(
                    f"REMINDER_CLAIM_LEASE_SECONDS must be at least {needed:.0f} "
                    "(twice the time to send one REMINDER_BATCH_SIZE at TELEGRAM_RATE_LIMIT)"
                )
        return self

    @property
    def api_root(self) -> str:
        """The Bot API root without a trailing slash."""
        return str(self.telegram_api_url).rstrip("/")


def get_settings(**overrides: object) -> Settings:
    """Read settings from the environment, turning validation errors into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]).upper() or "settings"
            lines.append(f"  {name}: {error['msg']}")
        raise SettingsError("Invalid configuration:\n" + "\n".join(lines)) from None


def configure_logging(level: LogLevel) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # httpx logs every request URL, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # An outbox run that outlasts its interval makes APScheduler skip the next run, by
    # design (runs must not overlap); that is not worth a warning each time.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    # APScheduler logs every run of the outbox job at INFO ("Running job", "executed
    # successfully"): thousands of lines a day. Shown only at DEBUG.
    routine = logging.NOTSET if level == "DEBUG" else logging.WARNING
    logging.getLogger("apscheduler.executors").setLevel(routine)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
