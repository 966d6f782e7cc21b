"""emergency_numbers.yaml: real zones, country codes and numbers; every city button has one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files

from content.models import EmergencyNumbers, TimeZones
from content.problems import ContentProblem
from content.reading import Parsed

_COUNTRY = re.compile(r"[A-Z]{2}")
_NUMBER = re.compile(r"[0-9]{2,6}")


def check_emergency_numbers(
    emergency: Parsed[EmergencyNumbers], timezones: Parsed[TimeZones] | None
) -> Iterator[ContentProblem]:
    """Every entry's form, and a number for every city offered as a button (when it parsed)."""
    file = emergency.file
    known_zones = _shipped_zones()
    numbers = emergency.model.numbers
    zones = emergency.model.zones
    zone_countries = set(zones.values())
    for country, number in numbers.items():
        if not _COUNTRY.fullmatch(country):
            yield ContentProblem(file, f"numbers.{country}", _not_a_country(country))
        elif country not in zone_countries:
            # UK for GB, say: the number would never be given.
            yield ContentProblem(file, f"numbers.{country}", f"no zone is in country {country!r}")
        if not _NUMBER.fullmatch(number):
            yield ContentProblem(
                file, f"numbers.{country}", f"{number!r} is not a number of 2 to 6 digits"
            )
    for zone, country in zones.items():
        if zone not in known_zones:
            yield ContentProblem(
                file, f"zones.{zone}", f"{zone!r} is not a zone of the tz database (tzdata)"
            )
        if not _COUNTRY.fullmatch(country):
            yield ContentProblem(file, f"zones.{zone}", _not_a_country(country))
    if timezones is None:
        return
    for region, cities in timezones.model.regions.items():
        for index, city in enumerate(cities):
            # A zone that does not exist is reported by the time-zone check.
            if city.zone not in known_zones:
                continue
            city_country = zones.get(city.zone)
            if city_country not in numbers:
                need = f"zones.{city.zone}" if city_country is None else f"numbers.{city_country}"
                yield ContentProblem(
                    timezones.file,
                    f"regions.{region}[{index}]",
                    f"no emergency number for {city.label}: {file} needs {need}",
                )


def _not_a_country(code: str) -> str:
    return f"{code!r} is not a country code (ISO 3166: two capital letters)"


def _shipped_zones() -> frozenset[str]:
    """The zones of the tz database the bot installs (the tzdata package), as zoneinfo loads them.

    Its list, not the host's /usr/share/zoneinfo, which differs from host to host (as in
    bot.domain.timezones); reading it is much cheaper than loading each zone.
    """
    return frozenset(files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())
