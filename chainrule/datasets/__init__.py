"""Data sets: generators for the notes' 2-D toy problems and readers for local files.

Nothing here downloads: the readers take a path, and a missing file says where it looked.
"""

from .conll import iob1_to_iob2, read_conll
from .mnist import load_mnist, read_idx
from .toy import quadrants, spiral

__all__ = ["spiral", "quadrants", "read_idx", "load_mnist", "read_conll", "iob1_to_iob2"]
