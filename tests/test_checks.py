"""gradlib._checks: the shared input checks accept what they promise, return it in canonical form,
and refuse the rest with a message naming the argument, the rule and the value."""
import math

import numpy as np
import pytest

from gradlib import _checks as check


def test_integer_accepts_python_and_numpy_integers_and_returns_an_int():
    for value in (3, np.int64(3), np.uint8(3)):
        out = check.integer("n", value, lo=1, hi=5)
        assert out == 3 and type(out) is int


@pytest.mark.parametrize("value, lo, hi, message", [
    (0, 1, None, r"n must be an integer >= 1, got 0"),
    (6, 1, 5, r"n must be an integer in \[1, 5\], got 6"),
    (6, None, 5, r"n must be an integer <= 5, got 6"),
    (2.0, None, None, r"n must be an integer, got 2.0"),
    (True, 0, None, r"n must be an integer >= 0, got True"),
    ("3", 0, None, r"n must be an integer >= 0, got '3'"),
])
def test_integer_refuses(value, lo, hi, message):
    with pytest.raises(ValueError, match=message):
        check.integer("n", value, lo, hi)


def test_real_returns_a_float_and_applies_its_rule():
    assert check.real("x", np.float32(0.5)) == 0.5 and type(check.real("x", 2)) is float
    assert check.real("t", 0.3, "in (0, 1]", lambda v: 0 < v <= 1) == 0.3
    assert check.real("bound", math.inf, "> 0", lambda v: v > 0, finite=False) == math.inf


@pytest.mark.parametrize("call, message", [
    (lambda: check.real("x", math.inf), r"x must be a finite number, got inf"),
    (lambda: check.real("x", math.nan, finite=False), r"x must be a finite number, got nan"),
    (lambda: check.real("x", True), r"x must be a finite number, got True"),
    (lambda: check.real("x", "1"), r"x must be a finite number, got '1'"),
    (lambda: check.real("x", [1.0]), r"x must be a finite number, got \[1.0\]"),
    (lambda: check.real("t", 0, "in (0, 1]", lambda v: 0 < v <= 1), r"t must be in \(0, 1\], got 0"),
    (lambda: check.real("b", -math.inf, "> 0", lambda v: v > 0, finite=False), r"b must be > 0, got -inf"),
    (lambda: check.positive("lr", 0.0), r"lr must be a finite number > 0, got 0.0"),
    (lambda: check.nonnegative("l2", -1), r"l2 must be a finite number >= 0, got -1"),
    (lambda: check.unit_interval("beta", 1.0), r"beta must be a number in \[0, 1\), got 1.0"),
    (lambda: check.unit_interval("beta", math.nan), r"beta must be a number in \[0, 1\), got nan"),
])
def test_real_and_its_shorthands_refuse(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_one_of_names_every_option():
    assert check.one_of("m", "b", {"a": 1, "b": 2}) == "b"
    with pytest.raises(ValueError, match=r"m must be one of 'a', 'b', got 'c'"):
        check.one_of("m", "c", ("a", "b"))
    with pytest.raises(ValueError, match=r"m must be one of 'a', 'b', got \['a'\]"):
        check.one_of("m", ["a"], ("a", "b"))          # unhashable: refused, not a TypeError


@pytest.mark.parametrize("value, message", [
    (3, r"xlim must be a pair \(low, high\) of numbers, got 3"),
    ((1, 2, 3), r"xlim must be a pair \(low, high\) of numbers"),
    ((1, 1), r"xlim must be finite with low < high, got \(1, 1\)"),
    ((0, math.inf), r"xlim must be finite with low < high"),
])
def test_interval(value, message):
    assert check.interval("xlim", (np.float64(-1), 2)) == (-1.0, 2.0)
    with pytest.raises(ValueError, match=message):
        check.interval("xlim", value)
