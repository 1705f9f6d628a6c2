"""`cr.save` / `cr.load`: checkpoints in safetensors, a format that never runs code on load.

A checkpoint is a nested structure (dicts with string or int keys, lists, tuples) of tensors,
NumPy arrays, numbers (int, float, complex), strings, bools and None: a model's or an
optimiser's state dict, or a dict of several. Unlike PyTorch's pickle, nothing else can be
stored: `save` refuses any other object, naming its type and where it sits
(`obj['config']['tags']`), so `load` never runs code. The tensors and arrays go into the
safetensors file as named arrays; the structure around them goes, as JSON, into the file's
metadata. Tensors come back as tensors (with `requires_grad` as saved; an `nn.Parameter` as
a Parameter), arrays as arrays, tuples as tuples, int keys as int keys. `f` is a path or a
binary file object (`io.BytesIO`, a file opened with "wb"/"rb"), as in PyTorch.

Paths are written to a temporary name and renamed, so a crash never leaves a half-written
checkpoint where the old one was; the next save (or `--resume`) deletes the temporary file
such a crash leaves. New files get the permissions `open()` would give them (0o666 less the
umask). `load` raises `CheckpointError`, saying what is wrong, for any file that `save`
could not have written.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .nn.parameter import Parameter
from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError", "checkpoint_path", "remove_stale_temporaries"]

_FORMAT_KEY = "chainrule.structure"
_FORMAT_VERSION = 1
_MAX_DEPTH = 200  # nesting deeper than this is refused on save and on load


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read: missing, corrupt, or not a checkpoint."""


def _where(keys: tuple[Any, ...]) -> str:
    """The place of a value inside the saved object, written as Python would index it."""
    return "obj" + "".join(f"[{key!r}]" for key in keys)


def _array_record(marker: str, value: np.ndarray, keys: tuple[Any, ...],
                  arrays: dict[str, np.ndarray], requires_grad: bool = False,
                  parameter: bool = False) -> Any:
    """Stores `value` under a fresh name; the record names it (with its options, where it
    needs any: complex128, which safetensors lacks, travels as float64 pairs)."""
    name = ".".join(str(key) for key in keys) or "tensor"
    while name in arrays:
        name += "_"
    options: dict[str, bool] = {}
    if value.dtype == np.complex128:
        value, options["complex128"] = value.view(np.float64).reshape(value.shape + (2,)), True
    if requires_grad:
        options["requires_grad"] = True
    if parameter:
        options["parameter"] = True
    # (np.ascontiguousarray would turn a 0-d array into shape (1,))
    arrays[name] = value if value.flags.c_contiguous else value.copy(order="C")
    return {marker: [name, options] if options else name}


def _encode(value: Any, keys: tuple[Any, ...], arrays: dict[str, np.ndarray]) -> Any:
    """The JSON form of `value`, with each tensor or array replaced by a reference to it."""
    if len(keys) > _MAX_DEPTH:
        raise ValueError(f"save: the object is nested more than {_MAX_DEPTH} levels deep (at "
                         f"{_where(keys[:10])}...); a checkpoint holds at most that many")
    if isinstance(value, Tensor):
        return _array_record("__tensor__", value.detach().numpy(), keys, arrays,
                             value.requires_grad, isinstance(value, Parameter))
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise TypeError(f"save: cannot store a NumPy array of dtype {value.dtype} at "
                            f"{_where(keys)}; a checkpoint holds arrays of numbers and bools")
        return _array_record("__ndarray__", value, keys, arrays)
    if isinstance(value, dict):
        return {"__dict__": [[_encode_key(key, keys), _encode(item, keys + (key,), arrays)]
                             for key, item in value.items()]}
    if isinstance(value, (list, tuple)):
        items = [_encode(item, keys + (index,), arrays) for index, item in enumerate(value)]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        value = value.item()
    if isinstance(value, complex):
        return {"__complex__": [value.real, value.imag]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"save: cannot store a {type(value).__name__} at {_where(keys)}; a "
                    "checkpoint holds tensors, NumPy arrays, numbers, strings, bools, None, "
                    "and dicts, lists or tuples of them (unlike PyTorch, no pickled objects)")


def _encode_key(key: Any, keys: tuple[Any, ...]) -> Any:
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise TypeError(f"save: dict keys must be strings or ints, got the "
                        f"{type(key).__name__} {key!r} in {_where(keys)}")
    return key


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
                              "one of __tensor__, __ndarray__, __complex__, __tuple__, "
                              "__dict__)")
    ((marker, body),) = value.items()
    if marker in ("__tensor__", "__ndarray__"):
        return _decode_array(marker, body, arrays)
    if marker == "__complex__" and isinstance(body, list) and len(body) == 2 and all(
            isinstance(part, (int, float)) and not isinstance(part, bool) for part in body):
        return complex(body[0], body[1])
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


def _decode_array(marker: str, body: Any, arrays: dict[str, np.ndarray]) -> Any:
    """A tensor or array record: its name, or [name, options]."""
    name, options = (body, {}) if isinstance(body, str) else (
        body if isinstance(body, list) and len(body) == 2 and isinstance(body[1], dict)
        else (None, {}))
    if not isinstance(name, str) or name not in arrays:
        raise CheckpointError(f"the structure names a tensor {body!r} that the file does "
                              "not hold")
    unknown = set(options) - {"complex128", "requires_grad", "parameter"}
    if unknown:
        raise CheckpointError(f"unknown options {sorted(unknown)} for the tensor {name!r}")
    array = arrays[name]
    if options.get("complex128"):
        if array.dtype != np.float64 or not array.ndim or array.shape[-1] != 2:
            raise CheckpointError(f"the complex128 tensor {name!r} is stored as "
                                  f"{array.dtype} {array.shape}; expected float64 pairs")
        array = np.ascontiguousarray(array).view(np.complex128).reshape(array.shape[:-1])
    if marker == "__ndarray__":
        return array
    if options.get("parameter"):
        return Parameter(Tensor._make(array, None), bool(options.get("requires_grad")))
    tensor = Tensor._make(array, None)
    return tensor.requires_grad_(True) if options.get("requires_grad") else tensor


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def save(obj: Any, f: str | os.PathLike[str] | BinaryIO, pickle_module: Any = None,
         pickle_protocol: int = 2, _use_new_zipfile_serialization: bool = True) -> None:
    """Writes `obj` to `f`, a path or a binary file object; see the module docstring for
    what `obj` may hold. PyTorch's pickle arguments are accepted and ignored: nothing is
    pickled. A path is written whole or not at all.

    >>> import chainrule as cr, io
    >>> buffer = io.BytesIO()
    >>> cr.save({"w": cr.ones(2), "epoch": 3, "betas": (0.9, 0.999)}, buffer)
    >>> _ = buffer.seek(0)
    >>> loaded = cr.load(buffer)
    >>> loaded["epoch"], loaded["betas"], loaded["w"].tolist()
    (3, (0.9, 0.999), [1.0, 1.0])
    """
    from safetensors.numpy import save as to_bytes

    stream = f if _is_stream(f, "write") else None
    target = None if stream is not None else _path_argument("save", f)
    arrays: dict[str, np.ndarray] = {}
    structure = _encode(obj, (), arrays)
    metadata = {_FORMAT_KEY: json.dumps({"version": _FORMAT_VERSION, "root": structure})}
    payload = to_bytes(arrays, metadata=metadata)
    if stream is not None:
        stream.write(payload)  # type: ignore[union-attr]
        return
    assert target is not None
    _write_atomically(target, payload)


def _is_stream(f: Any, method: str) -> bool:
    return not isinstance(f, (str, os.PathLike)) and callable(getattr(f, method, None))


def _write_atomically(target: Path, payload: bytes) -> None:
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
        method = "write" if op == "save" else "read"
        raise TypeError(f"{op}: expected a file path (str or os.PathLike) or a binary file "
                        f"object with a {method}() method, got {type(f).__name__}")
    return Path(f)


def load(f: str | os.PathLike[str] | BinaryIO, map_location: Any = None,
         pickle_module: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """Reads what `save` wrote, from a path or a binary file object (read from its current
    position to the end). A plain safetensors file (from another tool) loads as a dict of
    tensors. Anything else raises `CheckpointError` naming the file. `map_location` (a
    device, its name, a {from: to} dict or a function of (tensor, location)) moves the
    tensors; `weights_only` is accepted and changes nothing: a checkpoint never holds
    code, whatever it says."""
    if _is_stream(f, "read"):
        where = f"the file object {type(f).__name__}"
        payload = f.read()  # type: ignore[union-attr]
        if not isinstance(payload, (bytes, bytearray, memoryview)):
            raise TypeError(f"load: {where} gave {type(payload).__name__}, expected bytes "
                            "(open the file in binary mode, 'rb')")
    else:
        path = _path_argument("load", f)
        where = str(path)
        if path.is_dir():
            raise CheckpointError(f"load: {path} is a folder, not a checkpoint file")
        if not path.is_file():
            raise FileNotFoundError(f"load: no checkpoint at {path}")
        payload = path.read_bytes()
    metadata, arrays = _read_safetensors(bytes(payload), where)
    if _FORMAT_KEY not in metadata:
        return {name: Tensor._make(array, None) for name, array in arrays.items()}
    try:
        result = _decode_record(metadata[_FORMAT_KEY], arrays)
    except (ValueError, RecursionError) as error:  # CheckpointError is a ValueError
        raise CheckpointError(f"load: {where} has a damaged structure record: {error}") \
            from None
    if map_location is not None:
        result = _to_device(result, map_location)
    return result


def _read_safetensors(payload: bytes, where: str
                      ) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """The metadata and arrays of a safetensors file's bytes; CheckpointError if they are
    not one."""
    from safetensors import SafetensorError
    from safetensors.numpy import load as from_bytes

    try:
        arrays = from_bytes(payload)  # validates the header and every array's extent
        header_size = int.from_bytes(payload[:8], "little")
        header = json.loads(payload[8:8 + header_size])
    except (SafetensorError, OSError, ValueError, TypeError) as error:
        raise CheckpointError(f"load: {where} is not a readable safetensors checkpoint "
                              f"(corrupt, truncated, or another format such as a pickle): "
                              f"{error}") from None
    metadata = (header.get("__metadata__") or {}) if isinstance(header, dict) else {}
    return metadata, arrays


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


def _relocate(tensor: Tensor, map_location: Any) -> Tensor:
    """`tensor` where PyTorch's `map_location` says: a device or its name, a dict from the
    saved device's name to the new one, or a function of (tensor, saved device name) that
    returns the tensor to use (or None to keep it)."""
    location = str(tensor.device)
    if callable(map_location) and not isinstance(map_location, (str, dict)):
        moved = map_location(tensor, location)
        return moved if isinstance(moved, Tensor) else tensor
    if isinstance(map_location, dict):
        target = map_location.get(location)
        return tensor if target is None else tensor.to(target)
    return tensor.to(map_location)


def _to_device(value: Any, device: Any) -> Any:
    if isinstance(value, Tensor):
        return _relocate(value, device)
    if isinstance(value, dict):
        return {key: _to_device(item, device) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_device(item, device) for item in value]
    if isinstance(value, tuple):
        return tuple(_to_device(item, device) for item in value)
    return value
