"""Reading a time zone from what a patient types: only zones of the shipped tz database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.timezones import (
    UnknownTimeZoneError,
    is_known_zone,
    shipped_zones,
    zone_from_text,
)

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ZERO = timedelta(0)

# Names a host's /usr/share/zoneinfo may hold that are not zones, or only exist on some hosts.
NOT_ZONES = [
    "localtime",
    "posixrules",
    "Factory",
    "factory",
    "posix/Europe/Berlin",
    "right/Europe/Berlin",
    "posix",
    "right",
    "zone.tab",
    "tzdata.zi",
    "leapseconds",
    "iso3166.tab",
    "SECURITY",
    "../zoneinfo/Europe/Berlin",
    "/etc/localtime",
    "Europe/",
    "",
]


@pytest.mark.parametrize("text", NOT_ZONES)
def test_host_only_names_are_refused(text: str) -> None:
    with pytest.raises(UnknownTimeZoneError):
        zone_from_text(text)


@pytest.mark.parametrize("name", NOT_ZONES)
def test_host_only_names_are_not_known_zones(name: str) -> None:
    assert not is_known_zone(name)


def test_the_zone_list_comes_from_tzdata_not_the_host() -> None:
    zones = shipped_zones()
    assert "Europe/Berlin" in zones
    assert "Etc/UTC" in zones
    assert "Factory" not in zones
    assert not any(name.startswith(("posix/", "right/")) for name in zones)
    assert list(zones) == sorted(zones)
    assert len(zones) > 400


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  europe/berlin ", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("utc", "Etc/UTC"),
        ("GMT", "Etc/UTC"),
        ("UTC+2", "Etc/GMT-2"),
        ("utc-11", "Etc/GMT+11"),
        ("+14", "Etc/GMT-14"),
        ("-12", "Etc/GMT+12"),
        ("+05:30", "Asia/Kolkata"),
        ("UTC−9:30", "Pacific/Marquesas"),  # a typographic minus
        ("+0545", "Asia/Kathmandu"),
    ],
)
def test_zones_offsets_and_cities_are_read(text: str, zone: str) -> None:
    assert zone_from_text(text) == zone
    assert is_known_zone(zone)


@pytest.mark.parametrize(
    "text",
    [
        "UTC+15",
        "-13",
        "UTC-14",
        "+05:60",
        "+05:15",
        "UTC+2:3",
        "berlin city",
        "Mars/Olympus",
        # An offset needs its sign: a bare number may be a time of day, not a zone.
        "12",
        "05:30",
        "a5",
        "utc=2",
    ],
)
def test_offsets_and_names_past_the_edges_are_refused(text: str) -> None:
    with pytest.raises(UnknownTimeZoneError):
        zone_from_text(text)


def test_known_zones_are_spelled_exactly() -> None:
    assert is_known_zone("America/New_York")
    assert not is_known_zone("america/new_york")
    assert not is_known_zone(" Europe/Berlin")


def test_every_shipped_zone_is_read_back_as_itself() -> None:
    for zone in shipped_zones():
        read = zone_from_text(zone)
        # GMT, UTC, GMT+0 and the like are all read as Etc/UTC.
        assert read == zone or (read == "Etc/UTC" and ZoneInfo(zone).utcoffset(NOON) == ZERO)


def test_every_offset_reads_as_a_shipped_zone_or_is_refused() -> None:
    for sign in "+-":
        for hours in range(16):
            for minutes in (0, 30, 45):
                try:
                    zone = zone_from_text(f"UTC{sign}{hours}:{minutes:02d}")
                except UnknownTimeZoneError:
                    continue
                assert is_known_zone(zone), zone
