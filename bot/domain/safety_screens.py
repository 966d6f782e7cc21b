"""What the patient sees of the safety rules: the screen before the first drill, the message
a red flag gets, the hold it starts, and the /safety notice.

The wording is content (``checkins.yaml``); which message wins and when drills may go out are
rules (:mod:`bot.domain.safety`). This module only lays them out as screens, in the patient's
language and with their own emergency number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.domain.safety import Clearance, safety_message, safety_notice, screen_list
from bot.domain.screens import Choice, Markup, Reply, Scope, Screen, Text
from content.catalog import Catalog

# Number buttons per row on the safety screen: large enough to hit on a phone.
NUMBERS_PER_ROW = 6


def _choice(label: str, action: str, *args: str) -> Choice:
    return Choice(label, action, *args, scope=Scope.SAFETY)


class SafetyScreens:
    """The safety screens of every language; ``number_for`` gives a time zone's emergency
    number (None when it is not known, and the content's general wording is used)."""

    def __init__(
        self,
        catalog_for: Callable[[str], Catalog],
        number_for: Callable[[str | None], str | None],
    ) -> None:
        self.catalog_for = catalog_for
        self.number_for = number_for

    def screen(
        self,
        language: str,
        zone: str | None,
        *,
        none: Choice | None = None,
        lead: Iterable[Text | Markup] = (),
    ) -> Screen:
        """The red flags, numbered under their tiers, a button per number, and "none of these
        apply" (``none``, or one that answers the screen alone)."""
        checkins = self.catalog_for(language).checkins
        lines: list[str] = []
        flags: list[Choice] = []
        # Numbered as listed, tier by tier, so that the button "3" is the third line shown.
        for heading, listed in screen_list(checkins, self.number_for(zone)):
            lines.append(f"\n<b>{heading}</b>")
            for flag in listed:
                flags.append(_choice(str(len(flags) + 1), "flag", flag.id))
                lines.append(f"{len(flags)}. {flag.text}")
        rows = [
            tuple(flags[start : start + NUMBERS_PER_ROW])
            for start in range(0, len(flags), NUMBERS_PER_ROW)
        ]
        answered = none or _choice(checkins.screen.none_label, "none")
        return Screen(
            body=(
                *lead,
                Markup(checkins.red_flag_intro + "\n" + "\n".join(lines)),
                Markup(checkins.red_flag_pick),
            ),
            choices=(*rows, (answered,)),
        )

    def none_label(self, language: str) -> str:
        return self.catalog_for(language).checkins.screen.none_label

    def before_card(self, language: str, zone: str | None, drill_id: str) -> Screen:
        """The screen in place of a drill card; "none of these apply" opens the card."""
        none = _choice(self.none_label(language), "none", "drill", drill_id)
        return self.screen(language, zone, none=none)

    def alarm(
        self, language: str, zone: str | None, flag_ids: Iterable[str], *, hold: bool
    ) -> Screen:
        """The fixed wording for the most severe flag reported, then the hold it starts (for a
        patient; someone who has not consented gets the wording alone)."""
        checkins = self.catalog_for(language).checkins
        message = safety_message(checkins, flag_ids, self.number_for(zone))
        assert message is not None, "an alarm is raised for a known flag"
        if not hold:
            return Screen(body=(Markup(message),))
        return self.held(language, Markup(message))

    def held(self, language: str, *lead: Text | Markup) -> Screen:
        """Instead of a drill, while a hold lasts: why, and the way out."""
        checkins = self.catalog_for(language).checkins
        return Screen(
            body=(*lead, Markup(checkins.screen.on_hold)), choices=self._hold_choices(language)
        )

    def screened(self, language: str) -> Screen:
        return Screen(body=(Markup(self.catalog_for(language).checkins.screen.screened),))

    def confirm_cleared(self, language: str) -> Screen:
        words = self.catalog_for(language).checkins.screen
        return Screen(
            body=(Markup(words.confirm_cleared),),
            choices=(
                (_choice(words.confirm_label, "confirm"),),
                (_choice(words.not_yet_label, "not_yet"),),
            ),
        )

    def cleared(self, language: str) -> Screen:
        return Screen(body=(Markup(self.catalog_for(language).checkins.screen.cleared),))

    def notice(self, language: str, zone: str | None, standing: Clearance | None) -> Reply:
        """``/safety``: every flag under its tier and the drills' stop rule; for a patient on
        hold, the way out as well."""
        catalog = self.catalog_for(language)
        text = safety_notice(catalog.checkins, catalog.cards.drill.stop_rule, self.number_for(zone))
        shown = Screen(body=(Markup(text),))
        if standing == Clearance.HELD:
            shown = self.held(language, Markup(text))
        return Reply(screens=(shown,), language=language)

    def _hold_choices(self, language: str) -> tuple[tuple[Choice, ...], ...]:
        words = self.catalog_for(language).checkins.screen
        return ((_choice(words.cleared_label, "cleared"),),)
