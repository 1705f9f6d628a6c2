"""chainrule.distributed across two processes: `mpiexec -n 2` runs tests/mpi_worker.py.

Skipped, with the reason, where mpi4py or mpiexec is missing (`pip install ".[mpi]"` brings
both; CI installs them). Each launch costs a second or two, so each one checks a lot.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule.distributed as dist
from chainrule.distributed.launch import find_mpiexec, mpiexec_command

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "mpi_worker.py"

needs_mpi = pytest.mark.skipif(
    importlib.util.find_spec("mpi4py") is None or find_mpiexec() is None,
    reason="needs mpi4py and mpiexec: pip install '.[mpi]' (mpi4py and Open MPI from pip)")


def run_under_mpi(*arguments: str, processes: int = 2, timeout: float = 120
                  ) -> subprocess.CompletedProcess[str]:
    """Runs a command under mpiexec, in its own session so that a hang is killed whole."""
    # Open MPI spins while waiting; on a busy 2-core machine that starves the other rank.
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
                   "OMPI_MCA_mpi_yield_when_idle": "1"}
    process = subprocess.Popen(mpiexec_command(processes, *arguments), cwd=ROOT,
                               env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"mpiexec hung for {timeout} s:\n{stdout}\n{stderr}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def worker(mode: str, out: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_under_mpi(sys.executable, str(WORKER), mode, *([str(out)] if out else []))


def test_without_a_process_group_the_calls_say_so() -> None:
    assert dist.is_initialized() is False
    with pytest.raises(ValueError, match="init_process_group"):
        dist.get_rank()
    with pytest.raises(ValueError, match="'mpi' backend only"):
        dist.init_process_group("nccl")


def test_buckets_are_assigned_as_pytorch_assigns_them() -> None:
    """In model order, one open bucket per dtype, closed once it reaches its limit (the first
    one smaller), a sparse parameter alone; then reversed, the first layers reduced last."""
    import chainrule as cr
    from chainrule.nn.parallel.reducer import assign_buckets

    sizes = [(100, cr.float32), (10, cr.float32), (300, cr.float32), (5, cr.float64),
             (1, cr.float32), (50, cr.float64), (7, cr.float32)]
    params = [cr.zeros(n, dtype=dtype) for n, dtype in sizes]  # 4 or 8 bytes per number
    assert assign_buckets(params, [400, 1000]) == [[4, 6], [3, 5], [1, 2], [0]]
    assert assign_buckets(params, [4000]) == [[3, 5], [0, 1, 2, 4, 6]]
    sparse = [False] * 4 + [True, False, False]
    assert assign_buckets(params, [400, 1000], sparse) == [[6], [4], [3, 5], [1, 2], [0]]
    if importlib.util.find_spec("torch") is not None:  # the oracle, where installed
        import torch
        import torch.distributed

        theirs = [torch.from_numpy(p.numpy()) for p in params]
        for limits, flags in (([400, 1000], [False] * 7), ([4000], [False] * 7),
                              ([400, 1000], sparse)):
            buckets, _ = torch.distributed._compute_bucket_assignment_by_size(
                theirs, limits, flags)
            assert assign_buckets(params, limits, flags) == list(reversed(buckets))


@needs_mpi
def test_collectives_give_pytorchs_values_on_two_ranks(tmp_path: Path) -> None:
    done = worker("collectives", tmp_path)
    assert done.returncode == 0, done.stderr
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    for rank, seen in enumerate(ranks):
        assert (seen["rank"], seen["size"], seen["backend"]) == (rank, 2, "mpi")
        assert seen["all_reduce_SUM"] == [3.0, 6.0]
        assert seen["all_reduce_AVG"] == [1.5, 3.0]
        assert seen["all_reduce_MAX"] == [2.0, 4.0]
        assert seen["all_reduce_MIN"] == [1.0, 2.0]
        assert seen["all_reduce_PRODUCT"] == [2.0, 8.0]
        assert seen["async_completed_after_wait"] is True
        assert seen["all_reduce_strided"] == (np.arange(6.0).reshape(2, 3).T * 3).tolist()
        assert seen["broadcast"] == [10.0, 1.0]
        assert seen["all_gather"] == [[0], [1, 1]]
        assert seen["scatter"] == [5.0 + rank] * 2
    assert ranks[0]["reduce"] == [3.0] and ranks[1]["reduce"] == [2.0]  # dst alone changes
    assert ranks[0]["gather"] == [[0.0, 0.0], [1.0, 1.0]] and ranks[1]["gather"] is None
    assert (ranks[1]["recv_from"], ranks[1]["recv"], ranks[1]["irecv"]) == (0, [42.0, 43.0],
                                                                            [7.0])
    # DistributedSampler reads the rank and world size from the process group
    assert (ranks[0]["sampler"], ranks[1]["sampler"]) == ([0, 2, 4], [1, 3, 0])


@needs_mpi
def test_a_rank_that_raises_stops_the_job_with_its_error() -> None:
    done = worker("raise")
    assert done.returncode != 0
    assert "all_reduce returned" not in done.stdout
    assert "rank 1 of 2 stopped with ValueError" in done.stderr
    assert "ValueError: boom on rank 1" in done.stderr


@needs_mpi
def test_a_collective_past_the_timeout_names_the_missing_rank() -> None:
    done = worker("sleep")
    assert done.returncode != 0
    assert "all_reduce returned" not in done.stdout
    assert "rank 0 of 2 waited more than 2 s (the timeout) in all_reduce" in done.stderr
    assert "missing: rank 1" in done.stderr
    assert "rank 1 is running its own code, before any collective" in done.stderr


@needs_mpi
def test_ddp_on_two_ranks_ends_where_one_process_with_twice_the_batch_does(
        tmp_path: Path) -> None:
    """2 ranks × 4 rows against 1 process × 8 rows, from rank 0's start (rank 1 is seeded
    differently), with gradient accumulation under no_sync, for a dense MLP and an embedding
    with row-sparse gradients."""
    sys.path.insert(0, str(WORKER.parent))
    try:
        import mpi_worker
    finally:
        sys.path.remove(str(WORKER.parent))
    done = worker("ddp", tmp_path)
    assert done.returncode == 0, done.stderr
    for rank in (0, 1):
        with np.load(tmp_path / f"rank{rank}.npz") as saved:
            for kind in ("mlp", "sparse"):
                for index, expected in enumerate(mpi_worker.ddp_reference(kind)):
                    np.testing.assert_allclose(saved[f"{kind}{index}"], expected, atol=1e-5)
            # in each synchronised backward, the last two layers' buckets were in flight
            # when the first layer's gradients were finished
            seen = saved["in_flight_during_backward"].reshape(3, 2)  # 3 steps, weight and bias
            assert seen.max(axis=1).tolist() == [2, 2, 2]
            assert "no gradient for: unused.weight, unused.bias" in str(
                saved["unused_parameter_error"])


@needs_mpi
def test_train_under_mpiexec_resumes_exactly(tmp_path: Path) -> None:
    """Batches of 7 split 4 + 3 across two ranks, with dropout: a run stopped after epoch 1
    and resumed ends where the uninterrupted one does; rank 0 alone writes."""
    import chainrule as cr

    done = worker("train", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("data-parallel on 2 processes (mpiexec)") == 3  # rank 0 only
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert ranks[0] == ranks[1]
    assert ranks[0]["history_whole"] == ranks[0]["history_resumed"]
    whole = cr.load(tmp_path / "whole" / "checkpoint.safetensors")["model"]
    resumed = cr.load(tmp_path / "resumed" / "checkpoint.safetensors")["model"]
    for name, value in whole.items():
        assert np.array_equal(value.numpy(), resumed[name].numpy()), name


@needs_mpi
def test_the_commands_scale_out_under_mpiexec(tmp_path: Path) -> None:
    """`chainrule train` and `chainrule ner train` under mpiexec -n 2, with no flag: one
    process speaks and writes, and says that it runs on two."""
    from tests.test_ner import write_tiny_conll

    done = run_under_mpi(sys.executable, "-m", "chainrule", "train", "--epochs", "2",
                         "--hidden", "16", "--no-progress", "--out", str(tmp_path / "run"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("data-parallel on 2 processes (mpiexec): each takes 16 rows of "
                             "every batch of 32") == 1
    assert done.stdout.count("done: test accuracy") == 1
    assert {"checkpoint.safetensors", "metrics.json", "curves.png"} <= {
        path.name for path in (tmp_path / "run").iterdir()}
    data = tmp_path / "conll"
    data.mkdir()
    write_tiny_conll(data)
    done = run_under_mpi(sys.executable, "-m", "chainrule", "ner", "train", "--data-dir",
                         str(data), "--out", str(tmp_path / "ner"), "--epochs", "2",
                         "--hidden", "20", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("data-parallel on 2 processes (mpiexec)") == 1
    assert done.stdout.count("best epoch") == 1
    assert (tmp_path / "ner" / "ner.safetensors").is_file()
