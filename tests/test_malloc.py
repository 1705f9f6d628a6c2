"""chainrule tunes glibc's malloc at import (see chainrule/_malloc.py), unless told not to."""

from __future__ import annotations

import pytest

from chainrule import _malloc


@pytest.mark.skipif(not _malloc._glibc(), reason="the tuning applies to glibc only")
def test_glibc_gets_both_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CHAINRULE_MALLOC_TUNING", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_"):
        monkeypatch.delenv(name, raising=False)
    assert _malloc.tune_malloc() is True


@pytest.mark.parametrize("name,value", [("CHAINRULE_MALLOC_TUNING", "0"),
                                        ("MALLOC_TRIM_THRESHOLD_", "131072"),
                                        ("MALLOC_MMAP_THRESHOLD_", "131072")])
def test_the_user_s_choice_wins(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    assert _malloc.tune_malloc() is False
