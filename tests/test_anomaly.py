"""detect_anomaly: the first NaN or inf raises, naming the gate that made it."""

import math

import numpy as np
import pytest

import chainrule as cr

# NumPy warns when it makes a NaN; these tests make them on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_forward_nan_names_the_gate() -> None:
    x = cr.tensor([-1.0, 4.0], requires_grad=True)
    expected = "gate 'sqrt' produced nan in its forward"
    with cr.autograd.detect_anomaly(), pytest.raises(RuntimeError, match=expected):
        x.sqrt()


def test_forward_inf_names_the_gate() -> None:
    x = cr.tensor([0.0, 1.0], requires_grad=True)
    with cr.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="'log' produced inf"):
        x.log()


def test_backward_nan_names_the_gate() -> None:
    x = cr.tensor([0.0, 4.0], requires_grad=True)
    y = x.sqrt()  # finite forward: sqrt(0) = 0, but its derivative 1/(2·0) is inf
    with cr.autograd.detect_anomaly(), pytest.raises(RuntimeError,
                                                     match="'sqrt' produced inf in its backward"):
        y.sum().backward()


def test_a_nan_that_comes_in_is_not_blamed_on_the_next_gate() -> None:
    x = cr.tensor([math.nan, 1.0], requires_grad=True)
    with cr.autograd.detect_anomaly():
        y = x * 2  # the NaN was already in the input
    assert math.isnan(y.tolist()[0])


def test_without_detect_anomaly_nothing_is_checked() -> None:
    x = cr.tensor([-1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = x.sqrt()
    assert math.isnan(y.item())
    assert not cr.autograd.is_anomaly_enabled()
