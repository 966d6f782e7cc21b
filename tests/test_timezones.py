"""Reading a time zone from what a patient types: only zones of the shipped tz database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import timezones
from bot.domain.timezones import (
    LocationZoneFinder,
    UnknownTimeZoneError,
    is_fixed_offset_zone,
    is_known_zone,
    local_now,
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
        ("UTC + 5 : 30", "Asia/Kolkata"),  # spaces anywhere in an offset
        ("gmt+05 45", "Asia/Kathmandu"),
        ("+8:45", "Australia/Eucla"),
        ("UTC+1", "Etc/GMT-1"),
        ("UTC+14:00", "Etc/GMT-14"),  # the furthest ahead any place is
        ("-12:00", "Etc/GMT+12"),  # the furthest behind
        ("UTC+00:00", "Etc/UTC"),
        ("-00", "Etc/UTC"),
        ("port of spain", "America/Port_of_Spain"),
        ("Port_of Spain", "America/Port_of_Spain"),
        ("america/port of spain", "America/Port_of_Spain"),
        ("BUENOS AIRES", "America/Argentina/Buenos_Aires"),
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
        "+14:45",
        "+05:60",
        "+04:90",  # not 05:30: minutes run to 59
        "+04:75",  # not 05:15
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


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("  Mars /  Olympus ", "Mars / Olympus"),  # what the patient typed, tidied
        ("UTC+15", "+15:00"),  # an offset as it was read
        ("UTC+4:90", "+4:90"),
        ("−5:15", "−5:15"),
        ("-13", "-13"),
    ],
)
def test_a_refusal_names_what_was_refused(text: str, named: str) -> None:
    with pytest.raises(UnknownTimeZoneError) as refused:
        zone_from_text(text)
    assert refused.value.args == (named,)


def test_every_shipped_zone_is_read_with_spaces_for_underscores() -> None:
    for zone in shipped_zones():
        read = zone_from_text(zone.replace("_", " "))
        assert read == zone or (read == "Etc/UTC" and ZoneInfo(zone).utcoffset(NOON) == ZERO)


def test_only_offset_zones_are_fixed_offsets() -> None:
    assert is_fixed_offset_zone(zone_from_text("UTC+2"))
    assert is_fixed_offset_zone("Etc/UTC")
    assert not is_fixed_offset_zone(zone_from_text("+05:30"))  # Asia/Kolkata
    assert not is_fixed_offset_zone("Europe/Berlin")


def test_local_now_is_the_wall_clock_in_the_zone() -> None:
    assert local_now("Asia/Kathmandu", NOON) == NOON
    assert local_now("Asia/Kathmandu", NOON).strftime("%Y-%m-%d %H:%M") == "2026-03-02 17:45"


# --- a shared location: the finder's lookup is faked, its data never loaded ---------------


@dataclass
class FakeLookup:
    """timezonefinder's ``TimezoneFinder``, answering one zone for every point."""

    zone: str | None
    asked: list[tuple[float, float]] = field(default_factory=list)

    def timezone_at(self, *, lng: float, lat: float) -> str | None:
        self.asked.append((lat, lng))
        return self.zone


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[FakeLookup]:
    """Each load of the lookup data, with the zone the lookup answers (set ``[0].zone``)."""
    loaded: list[FakeLookup] = []

    def load() -> FakeLookup:
        loaded.append(FakeLookup("Europe/Berlin"))
        return loaded[-1]

    monkeypatch.setattr(timezones, "_load_finder", load)
    return loaded


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(90, 180), (-90, -180), (90, -180), (-90, 180), (0, 0), (52.52, 13.405)],
)
async def test_a_point_on_the_globe_is_looked_up(
    loads: list[FakeLookup], latitude: float, longitude: float
) -> None:
    assert await LocationZoneFinder()(latitude, longitude) == "Europe/Berlin"
    assert loads[0].asked == [(latitude, longitude)]


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(90.000001, 0), (-90.000001, 0), (0, 180.000001), (0, -180.000001), (float("nan"), 0)],
)
async def test_a_point_off_the_globe_finds_no_zone_and_loads_nothing(
    loads: list[FakeLookup], latitude: float, longitude: float
) -> None:
    assert await LocationZoneFinder()(latitude, longitude) is None
    assert loads == []


@pytest.mark.parametrize("answer", [None, "Mars/Olympus", "Factory", "posix/Europe/Berlin"])
async def test_a_zone_the_lookup_finds_outside_the_shipped_tz_database_is_no_zone(
    loads: list[FakeLookup], answer: str | None
) -> None:
    finder = LocationZoneFinder()
    assert await finder(0, 0) == "Europe/Berlin"
    loads[0].zone = answer
    assert await finder(0, 0) is None


async def test_the_lookup_data_is_loaded_once(loads: list[FakeLookup]) -> None:
    finder = LocationZoneFinder()
    assert await finder(1, 2) == await finder(3, 4) == "Europe/Berlin"
    assert len(loads) == 1
    assert loads[0].asked == [(1, 2), (3, 4)]
