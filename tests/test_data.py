"""Dataset, TensorDataset and DataLoader."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.utils.data import DataLoader, Dataset, TensorDataset, random_split


def test_batches_in_order_and_drop_last() -> None:
    data = TensorDataset(cr.arange(10), cr.arange(10) * 10)
    batches = list(DataLoader(data, batch_size=4))
    assert [x.tolist() for x, _ in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][1].tolist() == [0, 10, 20, 30]
    assert len(DataLoader(data, batch_size=4)) == 3
    assert len(DataLoader(data, batch_size=4, drop_last=True)) == 2
    assert [x.tolist() for x, _ in DataLoader(data, batch_size=4, drop_last=True)][-1] == [
        4, 5, 6, 7]


def test_shuffle_is_seeded_and_covers_everything() -> None:
    data = TensorDataset(cr.arange(20))
    cr.manual_seed(7)
    first = [x.tolist() for (x,) in DataLoader(data, batch_size=5, shuffle=True)]
    cr.manual_seed(7)
    again = [x.tolist() for (x,) in DataLoader(data, batch_size=5, shuffle=True)]
    assert first == again
    assert sorted(sum(first, [])) == list(range(20)) and sum(first, []) != list(range(20))


def test_a_map_style_dataset_is_collated() -> None:
    class Squares(Dataset):
        def __len__(self) -> int:
            return 5

        def __getitem__(self, index: int) -> tuple[cr.Tensor, int]:
            return cr.tensor([float(index), float(index ** 2)]), index % 2

    (features, labels), *_ = DataLoader(Squares(), batch_size=3)
    assert features.shape == (3, 2) and labels.tolist() == [0, 1, 0]
    assert labels.dtype == cr.int64


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDataset(cr.ones(3), cr.ones(4))
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(TensorDataset(cr.ones(3)), batch_size=0)
    with pytest.raises(ValueError, match="lengths sum to 5"):
        random_split(TensorDataset(cr.ones(6)), [2, 3])


def test_random_split() -> None:
    parts = random_split(TensorDataset(cr.arange(10)), [7, 3])
    assert [len(p) for p in parts] == [7, 3]
    seen = sorted(int(p[i][0].item()) for p in parts for i in range(len(p)))
    assert seen == list(range(10))


def test_a_sampler_chooses_the_order_and_excludes_shuffle() -> None:
    class Backwards(cr.utils.data.Sampler):
        def __init__(self, count: int) -> None:
            self.count = count

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter(range(self.count - 1, -1, -2))

        def __len__(self) -> int:
            return (self.count + 1) // 2

    data = TensorDataset(cr.arange(7))
    loader = DataLoader(data, batch_size=2, sampler=Backwards(7))
    assert [x.tolist() for (x,) in loader] == [[6, 4], [2, 0]]
    assert len(loader) == 2
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(data, sampler=Backwards(7), shuffle=True)


@pytest.mark.parametrize("count", [1, 5, 8, 10, 11])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4, 7, 12])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_shards_as_pytorch_does(count: int, replicas: int,
                                                    drop_last: bool) -> None:
    """Without shuffling, every rank's indices equal torch's; shuffled, the ranks' shards
    together are one permutation (padded as torch pads), new each epoch, the same on every
    rank."""
    from chainrule.utils.data import DistributedSampler

    torch_data = pytest.importorskip("torch.utils.data", reason="torch is the oracle here")
    for rank in range(replicas):
        ours = DistributedSampler(range(count), replicas, rank, shuffle=False,
                                  drop_last=drop_last)
        theirs = torch_data.DistributedSampler(range(count), replicas, rank, shuffle=False,
                                               drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    shards = [DistributedSampler(range(count), replicas, rank, seed=3, drop_last=drop_last)
              for rank in range(replicas)]
    for epoch in (0, 1):
        for shard in shards:
            shard.set_epoch(epoch)
        order = np.random.default_rng(3 + epoch).permutation(count)
        expected = order[:shards[0].total_size] if drop_last else np.resize(
            order, shards[0].total_size)
        together = np.empty(shards[0].total_size, np.int64)
        for rank, shard in enumerate(shards):
            together[rank::replicas] = list(shard)
        assert together.tolist() == expected.tolist()


def test_distributed_sampler_checks_its_rank_and_feeds_a_loader() -> None:
    from chainrule.utils.data import DistributedSampler

    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    assert list(DistributedSampler(range(1), 2, 1, shuffle=False, drop_last=True)) == []
    data = TensorDataset(cr.arange(10))
    loader = DataLoader(data, batch_size=2, sampler=DistributedSampler(
        data, num_replicas=3, rank=2, shuffle=False))
    assert [x.tolist() for (x,) in loader] == [[2, 5], [8, 1]]
