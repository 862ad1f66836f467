"""The noise-estimator checker: the right solution passes, typical slips are named."""
from __future__ import annotations

from gradlib.exercises.practice import check_noise_estimator


def right(s, b, S, B):
    G2 = (B * S - b * s) / (B - b)
    return G2, (s - S) / (1 / b - 1 / B)


def test_right_answer_passes() -> None:
    r = check_noise_estimator(right)
    assert r.ok and "B_noise" in r.message


def test_big_batch_norm_taken_as_the_true_gradient() -> None:
    r = check_noise_estimator(lambda s, b, S, B: (S, (s - S) / (1 / b - 1 / B)))
    assert not r.ok and "still holds tr(Σ)/B_big" in r.message


def test_swapped_outputs_and_flipped_sign() -> None:
    r = check_noise_estimator(lambda s, b, S, B: right(s, b, S, B)[::-1])
    assert not r.ok and "the order is (|G|², tr Σ)" in r.message
    r = check_noise_estimator(lambda s, b, S, B: (right(s, b, S, B)[0], (S - s) / (1 / b - 1 / B)))
    assert not r.ok and "Check the sign" in r.message


def test_stub_and_malformed_answers() -> None:
    def stub(*args):
        raise NotImplementedError
    assert check_noise_estimator(stub).status == "not implemented yet"
    assert "return a pair" in check_noise_estimator(lambda *a: None).message
    assert "exactly two numbers" in check_noise_estimator(lambda *a: (1.0, 2.0, 3.0)).message
