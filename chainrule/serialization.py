"""`cr.save` / `cr.load`: checkpoints in safetensors, a format that never runs code on load.

A checkpoint is a nested structure (dicts, lists, tuples) of tensors, numbers, strings,
bools and None: a model's or an optimiser's state dict, or a dict of several. The tensors go
into the safetensors file as named arrays; the structure around them goes, as JSON, into the
file's metadata. Files are written to a temporary name and renamed, so a crash never leaves a
half-written checkpoint where the old one was; the next save (or `--resume`) deletes the
temporary file such a crash leaves. New files get the permissions `open()` would give them
(0o666 less the umask). `load` raises `CheckpointError`, saying what is wrong, for any file
that `save` could not have written.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError", "checkpoint_path", "remove_stale_temporaries"]

_FORMAT_KEY = "chainrule.structure"
_FORMAT_VERSION = 1
_MAX_DEPTH = 200  # nesting deeper than this is refused on save and on load


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read: missing, corrupt, or not a checkpoint."""


def _encode(value: Any, path: str, arrays: dict[str, np.ndarray], depth: int = 0) -> Any:
    """The JSON form of `value`, with each tensor replaced by a reference to its array."""
    if depth > _MAX_DEPTH:
        raise ValueError(f"save: the object is nested more than {_MAX_DEPTH} levels deep (at "
                         f"'{path}'); a checkpoint holds at most that many")
    if isinstance(value, Tensor):
        name = path or "tensor"
        while name in arrays:
            name += "_"
        array = value.detach().numpy()
        # (np.ascontiguousarray would turn a 0-d array into shape (1,))
        arrays[name] = array if array.flags.c_contiguous else array.copy(order="C")
        return {"__tensor__": name}
    if isinstance(value, np.ndarray):
        return _encode(Tensor._make(value, None), path, arrays, depth)
    if isinstance(value, dict):
        return {"__dict__": [[_encode_key(key, path),
                              _encode(item, _join(path, key), arrays, depth + 1)]
                             for key, item in value.items()]}
    if isinstance(value, (list, tuple)):
        items = [_encode(item, _join(path, index), arrays, depth + 1)
                 for index, item in enumerate(value)]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"save: cannot store a {type(value).__name__} at '{path or '<root>'}'; a "
                    "checkpoint holds tensors, numbers, strings, bools, None, and dicts, lists "
                    "or tuples of them")


def _encode_key(key: Any, path: str) -> Any:
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise TypeError(f"save: dict keys must be strings or ints, got {key!r} at "
                        f"'{path or '<root>'}'")
    return key


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _decode(value: Any, arrays: dict[str, np.ndarray], depth: int = 0) -> Any:
    """The value a structure record describes; CheckpointError for anything `_encode` could
    not have written."""
    if depth > _MAX_DEPTH:
        raise CheckpointError(f"the structure is nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, list):
        return [_decode(item, arrays, depth + 1) for item in value]
    if not isinstance(value, dict):
        return value  # JSON's scalars: str, int, float, bool, None
    if len(value) != 1:
        raise CheckpointError(f"unexpected entry {sorted(value)} in the structure (expected "
                              "one of __tensor__, __tuple__, __dict__)")
    ((marker, body),) = value.items()
    if marker == "__tensor__":
        if not isinstance(body, str) or body not in arrays:
            raise CheckpointError(f"the structure names a tensor {body!r} that the file does "
                                  "not hold")
        return Tensor._make(arrays[body], None)
    if marker == "__tuple__" and isinstance(body, list):
        return tuple(_decode(item, arrays, depth + 1) for item in body)
    if marker == "__dict__" and isinstance(body, list):
        result = {}
        for entry in body:
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], (str, int))
                    and not isinstance(entry[0], bool)):
                raise CheckpointError(f"a dict entry must be a [key, value] pair with a string "
                                      f"or int key, got {_preview(entry)}")
            result[entry[0]] = _decode(entry[1], arrays, depth + 1)
        return result
    raise CheckpointError(f"unexpected entry {{{marker!r}: {_preview(body)}}} in the structure")


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def save(obj: Any, f: str | os.PathLike[str]) -> None:
    """Writes `obj` (a state dict, or nested dicts/lists of tensors and numbers) to `f`.

    >>> import chainrule as cr, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> cr.save({"w": cr.ones(2), "epoch": 3}, path)
    >>> cr.load(path)["epoch"]
    3
    """
    from safetensors.numpy import save as to_bytes

    target = _path_argument("save", f)
    arrays: dict[str, np.ndarray] = {}
    structure = _encode(obj, "", arrays)
    metadata = {_FORMAT_KEY: json.dumps({"version": _FORMAT_VERSION, "root": structure})}
    payload = to_bytes(arrays, metadata=metadata)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(f"save: the folder {directory} does not exist")
    remove_stale_temporaries(target)
    temporary = directory / f"{_TEMPORARY_PREFIX.format(name=target.name)}{os.getpid()}." \
        f"{secrets.token_hex(4)}.tmp"
    # os.open with mode 0o666 lets the umask decide the permissions, as open() would
    # (tempfile.mkstemp would make every checkpoint 0600).
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


_TEMPORARY_PREFIX = ".{name}."


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Deletes the temporary files that a save of `path` killed mid-write left beside it
    (`.NAME.<pid>.<random>.tmp`); returns them. `save` calls it before writing, and
    `chainrule train --resume` before reading. A file whose writer is still running (its
    process id is alive on this machine) is left alone."""
    target = Path(path)
    removed = []
    prefix = _TEMPORARY_PREFIX.format(name=target.name)
    for candidate in target.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        middle = candidate.name[len(prefix):-len(".tmp")].split(".")
        if middle and middle[0].isdigit() and _process_alive(int(middle[0])):
            continue
        try:
            candidate.unlink()
            removed.append(candidate)
        except OSError:
            pass  # gone already, or not ours to delete: the save goes on regardless
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's process, or a platform without signals: be careful
    return True


def _path_argument(op: str, f: Any) -> Path:
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(f"{op}: expected a file path (str or os.PathLike), got "
                        f"{type(f).__name__}")
    return Path(f)


def load(f: str | os.PathLike[str], map_location: Any = None, weights_only: bool = True,
         **ignored: Any) -> Any:
    """Reads what `save` wrote. A plain safetensors file (from another tool) loads as a
    dict of tensors. Anything else raises `CheckpointError` naming the file."""
    from safetensors import SafetensorError, safe_open

    path = _path_argument("load", f)
    if path.is_dir():
        raise CheckpointError(f"load: {path} is a folder, not a checkpoint file")
    if not path.is_file():
        raise FileNotFoundError(f"load: no checkpoint at {path}")
    try:
        with safe_open(str(path), framework="numpy") as stream:
            metadata = stream.metadata() or {}
            arrays = {name: stream.get_tensor(name) for name in stream.keys()}
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"load: {path} is not a readable safetensors checkpoint "
                              f"(corrupt, truncated, or another format such as a pickle): "
                              f"{error}") from None
    if _FORMAT_KEY not in metadata:
        return {name: Tensor._make(array, None) for name, array in arrays.items()}
    try:
        result = _decode_record(metadata[_FORMAT_KEY], arrays)
    except (ValueError, RecursionError) as error:  # CheckpointError is a ValueError
        raise CheckpointError(f"load: {path} has a damaged structure record: {error}") from None
    if map_location is not None:
        result = _to_device(result, map_location)
    return result


def _decode_record(record: str, arrays: dict[str, np.ndarray]) -> Any:
    """The object a structure record (JSON text) describes."""
    document = json.loads(record)  # RecursionError for absurd nesting, caught by load
    if not isinstance(document, dict) or "root" not in document:
        raise CheckpointError("expected an object with 'version' and 'root'")
    version = document.get("version")
    if version != _FORMAT_VERSION:
        raise CheckpointError(f"format version {version!r}, but this chainrule reads version "
                              f"{_FORMAT_VERSION}")
    return _decode(document["root"], arrays)


def checkpoint_path(path: str | os.PathLike[str], file_name: str) -> Path:
    """A checkpoint given as its file or as the run folder that holds `file_name`."""
    resolved = Path(path)
    return resolved / file_name if resolved.is_dir() else resolved


def _to_device(value: Any, device: Any) -> Any:
    if isinstance(value, Tensor):
        return value.to(device)
    if isinstance(value, dict):
        return {key: _to_device(item, device) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_device(item, device) for item in value]
    if isinstance(value, tuple):
        return tuple(_to_device(item, device) for item in value)
    return value
