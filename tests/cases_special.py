"""Gate cases for `chainrule.special`'s own gates (ops/special_functions.py)."""

from __future__ import annotations

from chainrule.ops.special_functions import Entr, Erfinv, LogNdtr, Sinc
from tests.case_kit import case, values

case(Erfinv, "inside", Erfinv.apply, values((3, 4), 301, -0.9, 0.9))
case(Erfinv, "near-the-ends", Erfinv.apply, values((2, 3), 302, 0.95, 0.99), rtol=1e-5)
case(Sinc, "both-signs", Sinc.apply, values((3, 4), 303, -2.5, 2.5, avoid=(0.0,)))
case(Entr, "positive", Entr.apply, values((3, 4), 304, 0.1, 3.0))
case(LogNdtr, "both-tails", LogNdtr.apply, values((3, 4), 305, -6.0, 6.0))
case(LogNdtr, "far-left", LogNdtr.apply, values((2, 2), 306, -40.0, -21.0), rtol=1e-5)
case(Sinc, "through-zero", Sinc.apply, [[0.0, 0.3], [-0.7, 0.0]])
