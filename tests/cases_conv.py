"""Gate cases of the convolutional family: convolution and its two adjoints, pooling, batch
norm (checked against central differences and by gradgradcheck)."""

from __future__ import annotations

import numpy as np

from chainrule.nn import functional as F
from chainrule.ops import conv, norm, pool
from chainrule.ops._window import Geometry

from .case_kit import case, distinct, values

# A strided, dilated, padded, grouped geometry: (2, 4, 6, 5) input, (4, 2, 2, 3) weight.
_GROUPED = conv.conv_geometry("conv2d", (2, 4, 6, 5), (4, 2, 2, 3), (2, 1), (1, 1), (1, 2), 2,
                              2)
_GROUPED_OUT = (2, 4) + _GROUPED.window.output_shape(6, 5)

case(conv.Convolution, "conv2d", lambda x, w, b: F.conv2d(x, w, b, padding=1),
     values((2, 3, 4, 5), 1), values((2, 3, 3, 2), 2), values((2,), 3))
case(conv.Convolution, "conv2d-grouped-strided-dilated",
     lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
     values((2, 4, 6, 5), 4), values((4, 2, 2, 3), 5), values((4,), 6))
case(conv.Convolution, "conv2d-same-even-kernel",
     lambda x, w: F.conv2d(x, w, padding="same"), values((1, 2, 5, 4), 7),
     values((3, 2, 2, 2), 8))
# The 1-D forms run these gates with H = 1 (then squeeze it): the cases call them so.
case(conv.Convolution, "as-conv1d",
     lambda x, w, b: F.conv2d(x, w, b, stride=(1, 2), padding=(0, 1)),
     values((2, 3, 1, 7), 9), values((2, 3, 1, 3), 10), values((2,), 11))
case(conv.ConvInputGrad, "grouped",
     lambda g, w: conv.ConvInputGrad.apply(g, w, (2, 4, 6, 5), _GROUPED),
     values(_GROUPED_OUT, 12), values((4, 2, 2, 3), 13))
case(conv.ConvWeightGrad, "grouped",
     lambda g, x: conv.ConvWeightGrad.apply(g, x, (4, 2, 2, 3), _GROUPED),
     values(_GROUPED_OUT, 14), values((2, 4, 6, 5), 15))

# Distinct values: no ties for the maximum, so the max is differentiable at the point.
case(pool.MaxPool, "2x2", lambda x: F.max_pool2d(x, 2), distinct((2, 2, 4, 5), 16))
case(pool.MaxPool, "overlapping-padded-ceil",
     lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
     distinct((1, 2, 6, 6), 17))
case(pool.MaxPool, "as-1d-dilated",
     lambda x: F.max_pool2d(x, (1, 2), stride=1, dilation=(1, 2)), distinct((2, 2, 1, 7), 18))
case(pool.AvgPool, "padded-ceil-excluding-pad",
     lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                            count_include_pad=False), values((2, 2, 6, 7), 19))
case(pool.AvgPool, "as-1d", lambda x: F.avg_pool2d(x, (1, 3), stride=(1, 2)),
     values((2, 3, 1, 8), 20))
_AVG = Geometry((2, 3), (2, 2), ((1, 1), (0, 1)), (1, 1))
_AVG_DIVISOR = np.array([[4.0, 6.0], [5.0, 6.0], [6.0, 3.0]])
case(pool.AvgPoolGrad, "padded",
     lambda g: pool.AvgPoolGrad.apply(g, _AVG, _AVG_DIVISOR, (2, 2, 4, 4)),
     values((2, 2, 3, 2), 21))

case(norm.BatchNorm, "2d-affine",
     lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     values((3, 2, 3, 2), 22), values((2,), 23), values((2,), 24))
case(norm.BatchNorm, "1d-no-affine", lambda x: F.batch_norm(x, None, None, training=True,
                                                            eps=1e-3),
     values((5, 3), 25))
