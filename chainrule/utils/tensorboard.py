"""TensorBoard logging as PyTorch users write it: `from chainrule.utils.tensorboard import
SummaryWriter`, with `torch.utils.tensorboard.SummaryWriter`'s names and arguments.

The event files are written by tensorboardX (a dependency of chainrule, imported only when a
writer is made, so `import chainrule` never loads it); chainrule tensors are turned into
NumPy arrays and numbers on the way. View the logs with `tensorboard --logdir runs`.

>>> import tempfile, chainrule as cr
>>> from chainrule.utils.tensorboard import SummaryWriter
>>> with SummaryWriter(tempfile.mkdtemp()) as writer:
...     writer.add_scalar("loss", cr.tensor(0.25), global_step=1)
...     writer.add_histogram("weights", cr.randn(100), global_step=1)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SummaryWriter"]


def _plain(value: Any) -> Any:
    """A chainrule tensor as a NumPy array (detached); anything else as it is."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().numpy()
    return value


def _number(value: Any) -> float:
    array = np.asarray(_plain(value), dtype=np.float64)
    if array.size != 1:
        raise ValueError(f"add_scalar: expected one number, got an array of shape "
                         f"{array.shape}")
    return float(array.reshape(()))


class SummaryWriter:
    """Writes scalars, histograms and text for TensorBoard into `log_dir` (default
    `runs/CURRENT_DATETIME_HOSTNAME`, as in PyTorch).

    Arguments as `torch.utils.tensorboard.SummaryWriter`: `log_dir`, `comment` (appended to
    the default folder's name), `purge_step`, `max_queue`, `flush_secs`, `filename_suffix`.
    """

    def __init__(self, log_dir: str | None = None, comment: str = "",
                 purge_step: int | None = None, max_queue: int = 10, flush_secs: int = 120,
                 filename_suffix: str = "") -> None:
        try:
            from tensorboardX import SummaryWriter as EventWriter
        except ImportError:  # pragma: no cover - a dependency of chainrule
            raise ImportError("chainrule.utils.tensorboard needs tensorboardX: pip install "
                              "tensorboardX") from None
        self._writer = EventWriter(logdir=None if log_dir is None else str(log_dir),
                                   comment=comment, purge_step=purge_step,
                                   max_queue=max_queue, flush_secs=flush_secs,
                                   filename_suffix=filename_suffix)
        self.log_dir: str = self._writer.logdir

    def get_logdir(self) -> str:
        """The folder the event files are written to."""
        return self.log_dir

    def add_scalar(self, tag: str, scalar_value: Any, global_step: int | None = None,
                   walltime: float | None = None) -> None:
        """One number (a Python number or a one-element tensor) under `tag` at a step."""
        self._writer.add_scalar(tag, _number(scalar_value), global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict[str, Any],
                    global_step: int | None = None, walltime: float | None = None) -> None:
        """Several numbers on one chart (`{"train": 0.3, "val": 0.4}`): one run per key, in
        `log_dir/main_tag/key` (tensorboardX's layout; PyTorch's is `main_tag_key`)."""
        values = {key: _number(value) for key, value in tag_scalar_dict.items()}
        self._writer.add_scalars(main_tag, values, global_step, walltime)

    def add_histogram(self, tag: str, values: Any, global_step: int | None = None,
                      bins: str = "tensorflow", walltime: float | None = None,
                      max_bins: int | None = None) -> None:
        """The distribution of a tensor's (or array's) values."""
        array = np.asarray(_plain(values), dtype=np.float64).ravel()
        self._writer.add_histogram(tag, array, global_step, bins, walltime, max_bins)

    def add_text(self, tag: str, text_string: str, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        """A piece of text (Markdown) under `tag`."""
        self._writer.add_text(tag, text_string, global_step, walltime)

    def flush(self) -> None:
        """Writes what is queued to disk now."""
        self._writer.flush()

    def close(self) -> None:
        """Flushes and closes the event files."""
        self._writer.close()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
