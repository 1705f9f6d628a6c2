"""`Generator`: a stream of random numbers, and the default one behind every random draw.

As in PyTorch, the default generator is seeded from the operating system's entropy when
chainrule is imported, so an unseeded program draws differently on every run, while
`manual_seed(n)` makes every later draw repeatable; `initial_seed()` tells the seed in use.
A new `Generator()` starts from PyTorch's fixed default seed (67280421310721), as
`torch.Generator()` does. The numbers come from NumPy's PCG64, so they are not PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backends import Device

__all__ = ["Generator", "default_generator", "fresh_seed", "DEFAULT_SEED"]

#: The seed a new `torch.Generator()` starts from.
DEFAULT_SEED = 67280421310721


def fresh_seed() -> int:
    """A seed from the operating system's entropy, in PyTorch's range (below 2**64)."""
    entropy = np.random.SeedSequence().entropy
    return int(entropy) % (2 ** 63)  # type: ignore[arg-type]


class Generator:
    """A stream of random numbers (NumPy's PCG64 underneath); pass it as `generator=`.

    `Generator(device='cpu')` as in PyTorch; `Generator(seed)` (an int) is chainrule's
    shorthand for `Generator().manual_seed(seed)`.

    >>> import chainrule as cr
    >>> g = cr.Generator().manual_seed(3)
    >>> cr.rand(2, generator=g).tolist() == cr.rand(2, generator=g.manual_seed(3)).tolist()
    True
    """

    def __init__(self, device: Any = "cpu") -> None:
        seed = DEFAULT_SEED
        if isinstance(device, (int, np.integer)) and not isinstance(device, bool):
            seed, device = int(device), "cpu"
        self.device = Device(device)
        if self.device.type != "cpu":
            raise RuntimeError(f"Generator: device {self.device} is not supported; chainrule's "
                               "generators draw on the CPU ('cpu')")
        self._seed = seed
        self.numpy = np.random.default_rng(seed)

    def manual_seed(self, seed: Any) -> Generator:
        """Restarts the stream from `seed`; returns the generator itself, as PyTorch does."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
        if not -(2 ** 63) <= seed < 2 ** 64:
            raise RuntimeError(f"manual_seed: seed must be in [-2**63, 2**64), got {seed}")
        self._seed = int(seed) % (2 ** 64)  # PyTorch stores negative seeds modulo 2**64
        self.numpy = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseeds from the operating system's entropy; returns the new seed."""
        new_seed = fresh_seed()
        self.manual_seed(new_seed)
        return new_seed

    def initial_seed(self) -> int:
        """The seed the stream was last started from."""
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """The stream's state, for `set_state` (unlike PyTorch's uint8 tensor, a dict:
        the seed and NumPy's state of the bit generator; `cr.save` stores it)."""
        return {"seed": self._seed, **self.numpy.bit_generator.state}

    def set_state(self, new_state: dict[str, Any]) -> Generator:
        """Restores a state from `get_state`; returns the generator."""
        if not isinstance(new_state, dict) or "state" not in new_state:
            raise TypeError("set_state: expected a state from Generator.get_state() (a dict), "
                            f"got {type(new_state).__name__}")
        state = dict(new_state)
        self._seed = int(state.pop("seed", self._seed))
        self.numpy.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"<chainrule.Generator object at {id(self):#x}>"


default_generator = Generator(fresh_seed())
