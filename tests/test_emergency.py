"""The emergency number a patient is told to call: their own country's, or none when unknown."""

from __future__ import annotations

import pytest

from bot.domain.emergency import emergency_number
from content.loader import load_content
from content.models import EmergencyNumbers


@pytest.fixture(scope="module")
def shipped() -> EmergencyNumbers:
    return load_content().emergency_numbers


@pytest.mark.parametrize(
    ("zone", "number"),
    [
        ("Europe/Berlin", "112"),
        ("Europe/London", "999"),
        ("America/New_York", "911"),
        ("America/Toronto", "911"),
        ("Australia/Sydney", "000"),
        ("Pacific/Auckland", "111"),
        ("Asia/Tokyo", "119"),
        ("Europe/Zurich", "144"),
        ("Europe/Oslo", "113"),
    ],
)
def test_a_patient_is_given_the_number_of_their_time_zones_country(
    shipped: EmergencyNumbers, zone: str, number: str
) -> None:
    assert emergency_number(zone, shipped) == number


@pytest.mark.parametrize(
    ("old_name", "zone"),
    [
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("GB", "Europe/London"),
    ],
)
def test_an_older_zone_name_gets_the_number_of_the_zone_it_names(
    shipped: EmergencyNumbers, old_name: str, zone: str
) -> None:
    assert emergency_number(old_name, shipped) == emergency_number(zone, shipped) is not None


def test_a_patient_without_a_time_zone_gets_no_number(shipped: EmergencyNumbers) -> None:
    assert emergency_number(None, shipped) is None


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "europe/berlin", "Berlin"])
def test_a_name_that_is_no_zone_gets_no_number(shipped: EmergencyNumbers, zone: str) -> None:
    assert emergency_number(zone, shipped) is None


@pytest.mark.parametrize("zone", ["Etc/UTC", "Etc/GMT-2", "UTC"])
def test_a_zone_in_no_country_gets_no_number(shipped: EmergencyNumbers, zone: str) -> None:
    # What a patient who typed an offset ("UTC+2") has.
    assert emergency_number(zone, shipped) is None


def test_a_country_without_a_number_gets_none() -> None:
    numbers = EmergencyNumbers(
        numbers={"DE": "112"}, zones={"Europe/Berlin": "DE", "Europe/Paris": "FR"}
    )
    assert emergency_number("Europe/Paris", numbers) is None
    assert emergency_number("Europe/Berlin", numbers) == "112"


def test_the_shipped_file_leaves_out_countries_it_gives_no_number(
    shipped: EmergencyNumbers,
) -> None:
    assert shipped.zones["Antarctica/Troll"] == "AQ"
    assert emergency_number("Antarctica/Troll", shipped) is None


def test_every_city_offered_as_a_button_has_a_number() -> None:
    content = load_content()
    missing = [
        city.label
        for cities in content.timezone_regions.values()
        for city in cities
        if emergency_number(city.zone, content.emergency_numbers) is None
    ]
    assert missing == []
