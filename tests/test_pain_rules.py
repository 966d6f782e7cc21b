"""The pain rules, each at and around its boundary."""

from __future__ import annotations

import pytest

from bot.domain.pain_rules import (
    BASELINE_MIN_SCORES,
    BASELINE_RISE,
    CRITICAL_PAIN,
    FINE_PAIN,
    STOP_PAIN,
    Advice,
    EventLevel,
    Verdict,
    after_drill,
    baseline,
    baseline_matters,
    next_morning,
)

SETTLED = Verdict(Advice.FINE, "settled", None, screen_red_flags=False)
RISING = Verdict(Advice.EASIER, "rising", None, screen_red_flags=False)
MODERATE = Verdict(Advice.EASIER, "moderate", None, screen_red_flags=False)
ABOVE_BASELINE = Verdict(Advice.STOP, "above_baseline", EventLevel.HIGH, screen_red_flags=True)
HIGH = Verdict(Advice.STOP, "high", EventLevel.HIGH, screen_red_flags=True)
SEVERE = Verdict(Advice.STOP, "severe", EventLevel.CRITICAL, screen_red_flags=True)


def test_the_thresholds_are_the_ones_clinical_md_lists() -> None:
    assert (FINE_PAIN, STOP_PAIN, CRITICAL_PAIN) == (3, 6, 7)
    assert (BASELINE_RISE, BASELINE_MIN_SCORES) == (2, 3)


# --- the score alone -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pain", "verdict"),
    [
        (0, SETTLED),
        (3, SETTLED),  # up to 3/10 is fine
        (4, MODERATE),  # 4-5/10: easier next time
        (5, MODERATE),
        (6, HIGH),  # 6/10: stop, a high event
        (7, SEVERE),  # 7/10 or more: stop, a critical event
        (10, SEVERE),
    ],
)
def test_pain_during_a_drill_that_settles(pain: int, verdict: Verdict) -> None:
    assert after_drill(pain, pain, baseline=None) == verdict


@pytest.mark.parametrize(
    ("pain_during", "pain_now", "verdict"),
    [
        (2, 4, MODERATE),  # the higher of the two is the pain judged
        (4, 2, MODERATE),
        (5, 6, HIGH),
        (6, 0, HIGH),
        (3, 7, SEVERE),
        (7, 6, SEVERE),
    ],
)
def test_the_higher_of_pain_during_and_pain_now_counts(
    pain_during: int, pain_now: int, verdict: Verdict
) -> None:
    assert after_drill(pain_during, pain_now, baseline=None) == verdict


@pytest.mark.parametrize(("pain", "verdict"), [(3, SETTLED), (4, MODERATE), (6, HIGH), (7, SEVERE)])
def test_pain_now_not_answered_yet_judges_pain_during(pain: int, verdict: Verdict) -> None:
    assert after_drill(pain, None, baseline=None) == verdict


# --- rising --------------------------------------------------------------------------------


def test_pain_now_one_point_above_pain_during_is_rising() -> None:
    assert after_drill(1, 2, baseline=None) == RISING
    assert after_drill(2, 3, baseline=None) == RISING


def test_pain_that_stays_level_or_falls_is_not_rising() -> None:
    assert after_drill(2, 2, baseline=None) == SETTLED
    assert after_drill(3, 2, baseline=None) == SETTLED
    assert after_drill(0, 0, baseline=None) == SETTLED


def test_rising_into_the_moderate_band_is_moderate() -> None:
    assert after_drill(3, 4, baseline=None) == MODERATE


# --- the patient's own baseline ------------------------------------------------------------


def test_the_baseline_needs_three_scores() -> None:
    assert baseline([]) is None
    assert baseline([2]) is None
    assert baseline([2, 2]) is None
    assert baseline([2, 2, 5]) == 2.0


def test_the_baseline_is_the_median_of_the_scores() -> None:
    assert baseline([5, 0, 1]) == 1.0  # not the mean (2), not the first or last
    assert baseline([1, 2, 3, 4]) == 2.5  # an even count: halfway between the middle two
    assert baseline([0, 0, 0, 7]) == 0.0
    assert isinstance(baseline([1, 2, 3]), float)


@pytest.mark.parametrize(
    ("pain", "usual", "verdict"),
    [
        (4, 2.0, ABOVE_BASELINE),  # +2: stop
        (4, 2.5, MODERATE),  # +1.5: not yet
        (5, 3.0, ABOVE_BASELINE),
        (5, 3.5, MODERATE),
        (4, 0.0, ABOVE_BASELINE),
        (4, 4.0, MODERATE),
        (5, 6.0, MODERATE),  # below the baseline
        (4, None, MODERATE),  # too few scores: the rule does not apply
    ],
)
def test_a_rise_of_two_over_the_baseline_stops_the_drill(
    pain: int, usual: float | None, verdict: Verdict
) -> None:
    assert after_drill(pain, pain, baseline=usual) == verdict


def test_a_rise_over_baseline_from_an_even_count_median() -> None:
    # Scores 1, 2, 3, 4: median 2.5. A 4 is +1.5 (moderate), a 5 is +2.5 (stop).
    usual = baseline([1, 2, 3, 4])
    assert after_drill(4, 4, usual) == MODERATE
    assert after_drill(5, 5, usual) == ABOVE_BASELINE


def test_a_score_of_three_or_less_is_never_stopped_by_the_baseline() -> None:
    assert after_drill(2, 2, baseline=0.0) == SETTLED
    assert after_drill(3, 3, baseline=0.0) == SETTLED
    assert after_drill(2, 3, baseline=0.0) == RISING


def test_the_baseline_rule_judges_the_higher_answer() -> None:
    assert after_drill(1, 4, baseline=2.0) == ABOVE_BASELINE
    assert after_drill(4, 1, baseline=2.0) == ABOVE_BASELINE


def test_a_high_score_is_high_or_severe_whatever_the_baseline() -> None:
    assert after_drill(6, 6, baseline=1.0) == HIGH
    assert after_drill(7, 7, baseline=1.0) == SEVERE
    assert after_drill(6, 6, baseline=8.0) == HIGH


@pytest.mark.parametrize(("pain", "matters"), [(3, False), (4, True), (5, True), (6, False)])
def test_the_baseline_matters_only_between_fine_and_stop(pain: int, matters: bool) -> None:
    assert baseline_matters(pain) is matters


@pytest.mark.parametrize("pain", range(11))
def test_where_the_baseline_does_not_matter_any_baseline_gives_the_same_verdict(pain: int) -> None:
    verdicts = {after_drill(pain, None, base) for base in (None, 0.0, 2.5, 10.0)}
    assert (len(verdicts) > 1) is baseline_matters(pain)


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(("pain_during", "pain_now"), [(-1, 0), (11, 0), (0, -1), (0, 11)])
def test_a_score_off_the_scale_is_refused(pain_during: int, pain_now: int) -> None:
    with pytest.raises(ValueError, match="0-10"):
        after_drill(pain_during, pain_now, baseline=None)


def test_the_ends_of_the_scale_are_accepted() -> None:
    assert after_drill(0, 10, baseline=None) == SEVERE
    assert after_drill(10, 0, baseline=None) == SEVERE


# --- the next morning ----------------------------------------------------------------------

WORSE_TWICE = Verdict(Advice.STOP, "worse_mornings", EventLevel.LOW, screen_red_flags=True)
NOT_SETTLED = Verdict(Advice.EASIER, "not_settled", None, screen_red_flags=False)


@pytest.mark.parametrize(
    ("today", "previous", "verdict"),
    [
        ("worse", "worse", WORSE_TWICE),  # twice in a row: stop, a low event
        ("worse", "same", NOT_SETTLED),
        ("worse", "better", NOT_SETTLED),
        ("worse", None, NOT_SETTLED),  # the first morning check
        ("same", "worse", SETTLED),  # worse before, not now
        ("better", "worse", SETTLED),
        ("same", None, SETTLED),
        ("better", "better", SETTLED),
    ],
)
def test_the_next_morning(today: str, previous: str | None, verdict: Verdict) -> None:
    assert next_morning(today, previous) == verdict


@pytest.mark.parametrize(("today", "previous"), [("awful", None), ("same", "awful"), ("", None)])
def test_a_morning_answer_that_is_not_one_of_the_three_is_refused(
    today: str, previous: str | None
) -> None:
    with pytest.raises(ValueError, match="is not a valid Morning"):
        next_morning(today, previous)
