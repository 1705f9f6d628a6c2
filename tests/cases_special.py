"""Gate cases for `chainrule.special`'s own gates (ops/special_functions.py), and erfinv
near ±1 (its gate is the op table's, in ops/pointwise2.py)."""

from __future__ import annotations

from chainrule.ops.pointwise2 import Erfinv
from chainrule.ops.special_functions import (
    Entr,
    Lgamma,
    LogNdtr,
    Polygamma,
    Sinc,
    Xlog1py,
)
from tests.case_kit import case, values

case(Erfinv, "near-the-ends", Erfinv.apply, values((2, 3), 302, 0.95, 0.99), rtol=1e-5)
case(Sinc, "both-signs", Sinc.apply, values((3, 4), 303, -2.5, 2.5, avoid=(0.0,)))
case(Entr, "positive", Entr.apply, values((3, 4), 304, 0.1, 3.0))
case(LogNdtr, "both-tails", LogNdtr.apply, values((3, 4), 305, -6.0, 6.0))
case(LogNdtr, "far-left", LogNdtr.apply, values((2, 2), 306, -40.0, -21.0), rtol=1e-5)
case(Sinc, "through-zero", Sinc.apply, [[0.0, 0.3], [-0.7, 0.0]])
case(Lgamma, "positive", Lgamma.apply, values((3, 4), 307, 0.2, 15.0))
case(Lgamma, "negative", Lgamma.apply, values((2, 3), 308, -2.9, -0.1,
                                              avoid=(-2.0, -1.0), gap=0.15))
case(Polygamma, "digamma", lambda x: Polygamma.apply(x, 0), values((3, 4), 309, 0.3, 12.0))
case(Polygamma, "digamma-negative", lambda x: Polygamma.apply(x, 0),
     values((2, 3), 310, -2.8, -0.2, avoid=(-2.0, -1.0), gap=0.15), rtol=1e-5)
case(Polygamma, "trigamma", lambda x: Polygamma.apply(x, 1), values((3, 4), 311, 0.3, 12.0))
case(Polygamma, "order-3", lambda x: Polygamma.apply(x, 3), values((2, 3), 312, 0.5, 12.0),
     rtol=1e-5)
case(Xlog1py, "broadcast", Xlog1py.apply, values((3, 1), 313, -2.0, 2.0),
     values((1, 4), 314, -0.5, 2.0))
