"""W7's hand-written NumPy contender: LeNet-5's forward and backward pass written out as
CS231n's "fast layers" (im2col convolutions on BLAS, reshaped 2×2 max-pools), the fastest a
NumPy engine could be without a compiler. Layouts are PyTorch's (NCHW, weights (out, in, …)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Cache = dict[str, Any]


def conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, pad: int
                 ) -> tuple[np.ndarray, Cache]:
    """Stride-1 convolution: im2col rows (N·OH·OW, C·kH·kW) times the flattened kernels."""
    out_channels, _, kh, kw = w.shape
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))  # (N, C, OH, OW, kH, kW)
    n, _, oh, ow = windows.shape[:4]
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, -1)
    out = cols @ w.reshape(out_channels, -1).T + b
    return out.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2), \
        {"cols": cols, "x_shape": x.shape, "pad": pad}


def conv_backward(dout: np.ndarray, w: np.ndarray, cache: Cache, need_dx: bool
                  ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """dW = δᵀ·cols, db = Σδ, and dx by adding each kernel offset's slice (col2im)."""
    out_channels, channels, kh, kw = w.shape
    n, _, oh, ow = dout.shape
    rows = dout.transpose(0, 2, 3, 1).reshape(-1, out_channels)
    dw = (rows.T @ cache["cols"]).reshape(w.shape)
    db = rows.sum(0)
    if not need_dx:
        return None, dw, db
    dcols = (rows @ w.reshape(out_channels, -1)).reshape(n, oh, ow, channels, kh, kw)
    pad = cache["pad"]
    height, width = cache["x_shape"][2:]
    dpadded = np.zeros((n, channels, height + 2 * pad, width + 2 * pad), dtype=dout.dtype)
    for i in range(kh):
        for j in range(kw):
            dpadded[:, :, i:i + oh, j:j + ow] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    dx = dpadded[:, :, pad:pad + height, pad:pad + width] if pad else dpadded
    return dx, dw, db


def pool_forward(x: np.ndarray) -> tuple[np.ndarray, Cache]:
    """2×2 max-pool, stride 2 (even sizes): the first maximum of each window wins."""
    n, c, h, w = x.shape
    windows = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    flat = windows.reshape(n, c, h // 2, w // 2, 4)
    best = flat.argmax(-1)
    out = np.take_along_axis(flat, best[..., None], -1)[..., 0]
    return out, {"best": best, "shape": x.shape}


def pool_backward(dout: np.ndarray, cache: Cache) -> np.ndarray:
    n, c, h, w = cache["shape"]
    spread = np.zeros((n, c, h // 2, w // 2, 4), dtype=dout.dtype)
    np.put_along_axis(spread, cache["best"][..., None], dout[..., None], -1)
    return spread.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5) \
        .reshape(n, c, h, w)


def loss_and_grads(params: list[np.ndarray], x: np.ndarray, y: np.ndarray
                   ) -> tuple[float, list[np.ndarray]]:
    """Softmax cross-entropy of LeNet-5 on (x, y) and the gradient of every parameter."""
    c1, c1b, c2, c2b, f1, f1b, f2, f2b, f3, f3b = params
    a1, conv1 = conv_forward(x, c1, c1b, 2)
    r1 = np.maximum(a1, 0)
    p1, pool1 = pool_forward(r1)
    a2, conv2 = conv_forward(p1, c2, c2b, 0)
    r2 = np.maximum(a2, 0)
    p2, pool2 = pool_forward(r2)
    flat = p2.reshape(p2.shape[0], -1)
    h1 = np.maximum(flat @ f1.T + f1b, 0)
    h2 = np.maximum(h1 @ f2.T + f2b, 0)
    scores = h2 @ f3.T + f3b
    scores -= scores.max(1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(1, keepdims=True)
    rows = np.arange(len(y))
    loss = float(-np.log(probs[rows, y]).mean())
    delta = probs
    delta[rows, y] -= 1
    delta /= len(y)
    grads: list[np.ndarray] = [delta.T @ h2, delta.sum(0)]
    delta = (delta @ f3) * (h2 > 0)
    grads = [delta.T @ h1, delta.sum(0)] + grads
    delta = (delta @ f2) * (h1 > 0)
    grads = [delta.T @ flat, delta.sum(0)] + grads
    delta = (delta @ f1).reshape(p2.shape)
    delta = pool_backward(delta, pool2) * (a2 > 0)
    d_p1, d_c2, d_c2b = conv_backward(delta, c2, conv2, need_dx=True)
    delta = pool_backward(d_p1, pool1) * (a1 > 0)  # type: ignore[arg-type]
    _, d_c1, d_c1b = conv_backward(delta, c1, conv1, need_dx=False)
    return loss, [d_c1, d_c1b, d_c2, d_c2b] + grads
