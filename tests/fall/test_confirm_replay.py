"""`alarms_in_recording`: what the live post-fall logic raises for one recording's windows, as
`anju eval fall --sisfall` counts it in its `model_confirmed` figures."""

from __future__ import annotations

from detectors.fall.post_fall import FallSettings, alarms_in_recording

S = FallSettings()  # cancel window 60 s, movement x0.5, fall again x3, alarm at 0.5


def test_a_confident_fall_alone_raises_one_alarm() -> None:
    assert alarms_in_recording([5.0], [0.9], 0.6, S) == 1


def test_a_later_harmless_window_is_movement_and_can_turn_a_weak_fall_into_a_near_miss() -> None:
    assert alarms_in_recording([5.0, 8.0], [0.9, 0.2], 0.6, S) == 1  # odds 9 -> 4.5
    assert alarms_in_recording([5.0, 8.0], [0.65, 0.2], 0.6, S) == 0  # odds 1.86 -> 0.93


def test_below_the_alarm_confidence_nothing_is_raised_even_above_the_threshold() -> None:
    assert alarms_in_recording([5.0], [0.45], 0.4, S) == 0


def test_a_second_fall_like_window_raises_the_odds_of_the_open_episode() -> None:
    assert alarms_in_recording([5.0, 8.0], [0.45, 0.7], 0.4, S) == 1


def test_an_alarmed_episode_is_not_raised_twice_but_a_later_one_is() -> None:
    assert alarms_in_recording([5.0, 80.0], [0.9, 0.9], 0.5, S) == 1  # still followed
    short = FallSettings(episode_max_s=70.0)
    assert alarms_in_recording([5.0, 80.0], [0.9, 0.9], 0.5, short) == 2


def test_no_windows_no_alarm() -> None:
    assert alarms_in_recording([], [], 0.5, S) == 0
