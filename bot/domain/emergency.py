"""Which emergency number a patient is told to call: their own, from their time zone's country."""

from __future__ import annotations

from content.models import EmergencyNumbers


def emergency_number(zone: str | None, numbers: EmergencyNumbers) -> str | None:
    """The number to call for an ambulance in the country whose clocks ``zone`` sets.

    None when it is not known: no zone, a zone in no country (``Etc/UTC``, ``Etc/GMT-2`` from a
    typed offset), a name the tz database does not have, or a country the content gives no
    number. The caller then names none ("your local emergency number, e.g. 112, 911 or 999");
    a wrong number would be worse than none.
    """
    if zone is None:
        return None
    country = numbers.zones.get(zone)
    return numbers.numbers.get(country) if country else None
