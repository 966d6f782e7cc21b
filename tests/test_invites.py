"""The rules of invite codes (their shape, hash and states at each boundary) and the
operator's ``reed therapist`` commands."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.cli import main
from bot.domain.invites import (
    MAX_INVITE_DAYS,
    InviteKind,
    InviteState,
    Joining,
    code_hash,
    deep_link,
    display_name,
    expiry,
    joining,
    kind_of,
    new_code,
    patient_invite_state,
    qr_png,
    therapist_invite_state,
    therapist_name,
)
from bot.therapist_admin import AdminError, issue_invite, list_invites, revoke_invite
from db.engine import Database

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WEEK = NOW + timedelta(days=7)


def test_codes_are_unguessable_start_parameters_with_their_kind() -> None:
    codes = {new_code(InviteKind.THERAPIST) for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"th_[A-Za-z0-9_-]{32}", code)  # 32 of 64 symbols: 192 bits
        assert len(code) <= 64
        assert kind_of(code) == InviteKind.THERAPIST
    patient = new_code(InviteKind.PATIENT)
    assert patient.startswith("pt_")
    assert kind_of(patient) == InviteKind.PATIENT


def test_new_code_asks_for_at_least_128_bits() -> None:
    asked: list[int] = []

    def token(size: int) -> str:
        asked.append(size)
        return "x" * 32

    assert new_code(InviteKind.PATIENT, token) == "pt_" + "x" * 32
    assert asked[0] * 8 >= 128


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "th_",
        "th_" + "a" * 31,  # one short
        "th_" + "a" * 33,  # one long
        "TH_" + "a" * 32,
        "xx_" + "a" * 32,
        "th_" + "a" * 31 + "!",
        "clinic_AB12-x",
    ],
)
def test_anything_else_is_no_invite(payload: str) -> None:
    assert kind_of(payload) is None


def test_only_a_hash_is_kept_and_it_fits_the_column() -> None:
    code = new_code(InviteKind.THERAPIST)
    hashed = code_hash(code)
    assert len(hashed) == 64
    assert code not in hashed
    assert hashed == code_hash(code)
    assert hashed != code_hash(new_code(InviteKind.THERAPIST))


def test_deep_link() -> None:
    assert deep_link("reed_bot", "pt_abc") == "https://t.me/reed_bot?start=pt_abc"


def test_expiry_days_within_bounds() -> None:
    assert expiry(NOW, 1) == NOW + timedelta(days=1)
    assert expiry(NOW, MAX_INVITE_DAYS) == NOW + timedelta(days=MAX_INVITE_DAYS)
    for days in (0, -1, MAX_INVITE_DAYS + 1):
        with pytest.raises(ValueError, match="lasts"):
            expiry(NOW, days)


def test_therapist_invite_states_at_their_edges() -> None:
    def state(now: datetime, used: datetime | None = None, revoked: datetime | None = None) -> str:
        return therapist_invite_state(expires_at=WEEK, used_at=used, revoked_at=revoked, now=now)

    assert state(WEEK - timedelta(microseconds=1)) == InviteState.OPEN
    assert state(WEEK) == InviteState.EXPIRED
    assert state(NOW, revoked=NOW) == InviteState.REVOKED
    assert state(WEEK, revoked=NOW) == InviteState.REVOKED  # revoked says more than expired
    assert state(NOW, used=NOW) == InviteState.USED
    assert state(WEEK, used=NOW, revoked=NOW) == InviteState.USED  # used is what happened


def test_patient_invite_states_at_their_edges() -> None:
    def state(now: datetime, revoked: datetime | None = None) -> str:
        return patient_invite_state(expires_at=WEEK, revoked_at=revoked, now=now)

    assert state(WEEK - timedelta(microseconds=1)) == InviteState.OPEN
    assert state(WEEK) == InviteState.EXPIRED
    assert state(NOW, revoked=NOW) == InviteState.REVOKED


def test_joining_a_therapist() -> None:
    assert joining(None, 7) == Joining.JOIN
    assert joining(7, 7) == Joining.SAME
    assert joining(3, 7) == Joining.CHANGE


def test_display_name() -> None:
    assert display_name("Lena", "Berg", "5001") == "Lena Berg"
    assert display_name(" Lena ", None, "5001") == "Lena"
    assert display_name("", "  ", "5001") == "5001"
    assert len(display_name("x" * 80, "y" * 80, "5001")) == 100


def test_therapist_name() -> None:
    assert therapist_name("  Dr.   Ana  Ruiz ") == "Dr. Ana Ruiz"
    assert therapist_name("x" * 100) == "x" * 100
    # The operator reads these words (reed therapist invite --name ...).
    for bad, said in (
        ("", "the therapist's name is empty"),
        ("   ", "the therapist's name is empty"),
        ("x" * 101, "the therapist's name is longer than 100 characters"),
    ):
        with pytest.raises(ValueError, match=f"^{said}$"):
            therapist_name(bad)


def test_the_qr_code_is_a_png_big_enough_to_print_with_its_quiet_zone() -> None:
    png = qr_png("https://t.me/reed_bot?start=pt_" + "a" * 32)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        # Error correction M makes this link a version 5 code (37 modules): 10 px a module
        # and a quiet zone of 4 modules each side.
        assert image.size == (450, 450)
        pixels = image.convert("L")
        assert pixels.getpixel((39, 39)) == 255  # the quiet zone
        assert pixels.getpixel((40, 40)) == 0  # the finder pattern's corner
        assert pixels.getpixel((409, 40)) == 0  # the top right finder pattern's corner
        assert pixels.getpixel((410, 40)) == 255  # and the quiet zone beside it


# -- reed therapist ---------------------------------------------------------------------------


async def test_issue_list_and_revoke(database: Database) -> None:
    issued = await issue_invite(
        database,
        name="Dr. Ana Ruiz",
        days=7,
        timezone="Europe/Madrid",
        username="b",
        clock=lambda: NOW,
    )
    assert issued.link.startswith("https://t.me/b?start=th_")
    assert issued.expires_at == WEEK
    second = await issue_invite(
        database, name="Dr. Ben", days=1, timezone=None, username="b", clock=lambda: NOW
    )
    assert await revoke_invite(database, second.invite_id, clock=lambda: NOW) == InviteState.OPEN
    assert await revoke_invite(database, second.invite_id, clock=lambda: NOW) == (
        InviteState.REVOKED
    )
    listed = await list_invites(database, clock=lambda: WEEK)
    assert [(row.name, row.state) for row in listed] == [
        ("Dr. Ana Ruiz", InviteState.EXPIRED),
        ("Dr. Ben", InviteState.REVOKED),
    ]
    with pytest.raises(AdminError, match="no therapist invite"):
        await revoke_invite(database, 10**6, clock=lambda: NOW)
    with pytest.raises(AdminError, match="time zone"):
        await issue_invite(
            database, name="X", days=7, timezone="Mars/Base", username="b", clock=lambda: NOW
        )
    with pytest.raises(AdminError, match="lasts"):
        await issue_invite(database, name="X", days=0, timezone=None, username="b")


def test_reed_therapist_commands(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir("/")  # no .env file

    assert main(["therapist", "list"]) == 0
    assert "No therapist invites yet" in capsys.readouterr().out

    assert main(["therapist", "invite", "--name", "Dr. Ana Ruiz", "--bot-username", "@reed"]) == 0
    printed = capsys.readouterr().out
    link = re.search(r"https://t\.me/reed\?start=(th_[A-Za-z0-9_-]{32})", printed)
    assert link is not None
    assert main(["therapist", "invite", "--name", "Dr. Ben"]) == 0
    placeholder = capsys.readouterr().out
    assert "https://t.me/ReEdCoachBot?start=th_" in placeholder
    assert "TELEGRAM_BOT_TOKEN is not set" in placeholder

    assert main(["therapist", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Dr. Ana Ruiz" in listed
    assert "Dr. Ben" in listed
    assert listed.count(" open") == 2
    assert link[1] not in listed  # never the code

    ana_id = next(int(line.split()[0]) for line in listed.splitlines() if "Dr. Ana Ruiz" in line)
    assert main(["therapist", "revoke", str(ana_id)]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["therapist", "list"]) == 0
    listed = capsys.readouterr().out
    ana_line = next(line for line in listed.splitlines() if "Dr. Ana Ruiz" in line)
    assert ana_line.endswith("revoked")

    assert main(["therapist", "revoke", "999999"]) == 1
    assert "no therapist invite 999999" in capsys.readouterr().err
