"""Turning what a patient tells us (a zone name, an offset, a place) into an IANA zone."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

_OFFSET = re.compile(
    r"^(?:utc|gmt|z)?\s*(?P<sign>[+\-−])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$",
    re.IGNORECASE,
)
_PLAIN_UTC = {"utc", "gmt", "z", "utc+0", "utc-0", "gmt+0", "gmt-0", "+0", "-0"}

# Whole-hour offsets map onto Etc/GMT zones; these are the zones that keep the other offsets
# all year round (none of them observes daylight saving at present).
_FRACTIONAL_OFFSET_ZONES = {
    timedelta(hours=-9, minutes=-30): "Pacific/Marquesas",
    timedelta(hours=3, minutes=30): "Asia/Tehran",
    timedelta(hours=4, minutes=30): "Asia/Kabul",
    timedelta(hours=5, minutes=30): "Asia/Kolkata",
    timedelta(hours=5, minutes=45): "Asia/Kathmandu",
    timedelta(hours=6, minutes=30): "Asia/Yangon",
    timedelta(hours=8, minutes=45): "Australia/Eucla",
    timedelta(hours=9, minutes=30): "Australia/Darwin",
}


class UnknownTimeZoneError(ValueError):
    """The text names no time zone we know."""


# tzdata's list also names "Factory", a placeholder zone meaning "not configured".
_PLACEHOLDER_ZONES = frozenset({"Factory"})


@cache
def shipped_zones() -> tuple[str, ...]:
    """Every IANA zone in the tz database this project ships (the ``tzdata`` package), sorted.

    The host's /usr/share/zoneinfo is not asked: it differs from host to host and holds names
    that are not zones (``localtime``, ``posixrules``, the ``posix/`` and ``right/`` copies).
    """
    listed = files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return tuple(sorted(set(listed) - _PLACEHOLDER_ZONES))


@cache
def _zones_by_folded_name() -> dict[str, str]:
    """Zone names casefolded, and their cities alone ("berlin"); spaces are read as "_"."""
    zones = {name.casefold(): name for name in shipped_zones()}
    for name in list(zones.values()):
        zones.setdefault(name.rsplit("/", 1)[-1].casefold(), name)
    return zones


def zone_from_text(text: str) -> str:
    """Read an IANA zone name (``Europe/Berlin``, ``new york``) or a UTC offset (``UTC+2``).

    Returns the canonical IANA name. Raises :class:`UnknownTimeZoneError` otherwise.
    """
    cleaned = " ".join(text.strip().split())
    folded = cleaned.casefold()
    if folded in _PLAIN_UTC:
        return "Etc/UTC"
    match = _OFFSET.match(folded.replace(" ", ""))
    if match is not None:
        return _zone_for_offset(match["sign"], int(match["hours"]), int(match["minutes"] or 0))
    # People write city names with spaces ("new york"); zone names have none.
    zone = _zones_by_folded_name().get(folded.replace(" ", "_"))
    if zone is None:
        raise UnknownTimeZoneError(cleaned)
    return zone


def _zone_for_offset(sign: str, hours: int, minutes: int) -> str:
    if hours > 14 or minutes >= 60:
        raise UnknownTimeZoneError(f"{sign}{hours}:{minutes:02d}")
    negative = sign in "-−"
    if minutes == 0:
        if hours == 0:
            return "Etc/UTC"
        # The Etc area uses POSIX signs: Etc/GMT-2 is two hours *ahead* of UTC. It runs from
        # Etc/GMT-14 to Etc/GMT+12, as the world's offsets do: UTC-13 is no zone.
        etc_zone = f"Etc/GMT{'+' if negative else '-'}{hours}"
        if not is_known_zone(etc_zone):
            raise UnknownTimeZoneError(f"{sign}{hours}")
        return etc_zone
    offset = timedelta(hours=hours, minutes=minutes)
    zone = _FRACTIONAL_OFFSET_ZONES.get(-offset if negative else offset)
    if zone is None:
        raise UnknownTimeZoneError(f"{sign}{hours}:{minutes:02d}")
    return zone


def is_fixed_offset_zone(zone: str) -> bool:
    """True for the Etc/ zones, which never change for daylight saving."""
    return zone.startswith("Etc/")


def local_now(zone: str, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(zone))


def is_known_zone(zone: str) -> bool:
    """True for a zone of the shipped tz database, spelled exactly as it names it."""
    return zone in _known_zones()


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(shipped_zones())


class LocationZoneFinder:
    """Finds the IANA zone of a coordinate, offline.

    The lookup data takes a moment to load from disk, so it is loaded once, on first use, in a
    worker thread; lookups run there too so the event loop never blocks.
    """

    def __init__(self) -> None:
        self._finder: Any = None
        self._lock = asyncio.Lock()

    async def __call__(self, latitude: float, longitude: float) -> str | None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        async with self._lock:
            if self._finder is None:
                self._finder = await asyncio.to_thread(_load_finder)
        zone = await asyncio.to_thread(self._finder.timezone_at, lng=longitude, lat=latitude)
        return zone if isinstance(zone, str) and is_known_zone(zone) else None


def _load_finder() -> Any:
    from timezonefinder import TimezoneFinder  # noqa: PLC0415 - heavy; loaded on first use

    return TimezoneFinder()
