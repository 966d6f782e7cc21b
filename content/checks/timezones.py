"""timezones.yaml: every city's zone is a real IANA zone, every region has a name to show."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from content.models import TimeZones
from content.problems import ContentProblem
from content.reading import Parsed

REGION_MESSAGE_PREFIX = "timezone.regions."


def check_timezones(
    timezones: Parsed[TimeZones], english_messages: Mapping[str, str], english_file: str
) -> Iterator[ContentProblem]:
    file = timezones.file
    for region, cities in timezones.model.regions.items():
        if f"{REGION_MESSAGE_PREFIX}{region}" not in english_messages:
            yield ContentProblem(
                file,
                f"regions.{region}",
                f"no button label: {english_file} needs {REGION_MESSAGE_PREFIX}{region}",
            )
        for index, city in enumerate(cities):
            try:
                ZoneInfo(city.zone)
            except (ZoneInfoNotFoundError, ValueError):
                yield ContentProblem(
                    file, f"regions.{region}[{index}]", f"unknown time zone {city.zone!r}"
                )
