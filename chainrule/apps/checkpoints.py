"""Which command wrote a checkpoint: each command reading one of the other kind says what it
found and which command reads it, instead of failing on a missing entry."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from chainrule import load

__all__ = ["KINDS", "open_checkpoint"]

#: kind -> (file name in a run folder, what it is, the commands that read it, entries it has)
KINDS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "classifier": ("checkpoint.safetensors", "a classifier checkpoint (written by chainrule "
                   "train)", "chainrule evaluate or chainrule predict",
                   ("config", "model", "features", "classes")),
    "tagger": ("ner.safetensors", "a NER tagger checkpoint (written by chainrule ner train)",
               "chainrule ner evaluate or chainrule ner tag", ("model", "words", "tags")),
    "tagger-resume": ("ner-resume.safetensors", "the resume state of a NER run (written by "
                      "chainrule ner train)", "chainrule ner train --resume, or chainrule ner "
                      "evaluate / ner tag on ner.safetensors beside it",
                      ("model", "optimizer", "history", "pretrain_history")),
}


def _kind_of(state: Any) -> str | None:
    if not isinstance(state, dict):
        return None
    for kind in ("tagger-resume", "tagger", "classifier"):  # most specific first
        if all(key in state for key in KINDS[kind][3]):
            return kind
    return None


def _resolve(path: Path, kind: str) -> Path:
    """A run folder's checkpoint of `kind`, or of another kind if that is all it holds."""
    if not path.is_dir():
        return path
    wanted = path / KINDS[kind][0]
    if wanted.is_file():
        return wanted
    others = [path / KINDS[other][0] for other in ("classifier", "tagger")
              if other != kind and (path / KINDS[other][0]).is_file()]
    if others:
        return others[0]
    raise FileNotFoundError(f"no checkpoint in {path}: expected {KINDS[kind][0]}")


def open_checkpoint(checkpoint: str | os.PathLike[str], kind: str) -> tuple[Path, dict[str, Any]]:
    """The checkpoint file (given as itself or its run folder) and its contents, if it is of
    `kind` ('classifier' or 'tagger'); otherwise a ValueError naming what it is and the
    command that reads it."""
    path = _resolve(Path(checkpoint), kind)
    state = load(path)
    found = _kind_of(state)
    if found == kind:
        return path, state
    wanted, reader = KINDS[kind][1], KINDS[kind][2]
    if found is None:
        raise ValueError(f"{path} is a checkpoint, but not one chainrule's commands wrote; "
                         f"expected {wanted}")
    raise ValueError(f"{path} is {KINDS[found][1]}, not {wanted}; read it with "
                     f"{KINDS[found][2]} (this command, like {reader}, reads the other kind)")
