"""chainrule.utils.data as a package laid out like torch.utils.data: the imports torch code
writes resolve, and the pieces behave as documented (no PyTorch needed here)."""

from __future__ import annotations

import collections
import importlib

import numpy as np
import pytest

import chainrule as cr
from chainrule.utils import data


@pytest.mark.parametrize("module, names", [
    ("dataset", ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset",
                 "ChainDataset", "Subset", "random_split"]),
    ("sampler", ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
                 "WeightedRandomSampler", "BatchSampler"]),
    ("dataloader", ["DataLoader", "default_collate", "default_convert", "get_worker_info"]),
    ("distributed", ["DistributedSampler"]),
])
def test_torch_module_paths_resolve_to_the_package_names(module: str, names: list[str]) -> None:
    loaded = importlib.import_module(f"chainrule.utils.data.{module}")
    for name in names:
        assert getattr(loaded, name) is getattr(data, name), name


def test_a_seeded_generator_gives_reproducible_shuffles_and_splits() -> None:
    dataset = data.TensorDataset(cr.arange(12))

    def epoch(seed: int) -> list[list[int]]:
        loader = data.DataLoader(dataset, batch_size=5, shuffle=True,
                                 generator=cr.Generator(seed))
        return [x.tolist() for (x,) in loader]

    assert epoch(3) == epoch(3) and epoch(3) != epoch(4)
    assert sorted(sum(epoch(3), [])) == list(range(12))
    first = [p.indices for p in data.random_split(range(10), [0.5, 0.5], cr.Generator(1))]
    again = [p.indices for p in data.random_split(range(10), [0.5, 0.5], cr.Generator(1))]
    assert first == again and sorted(first[0] + first[1]) == list(range(10))


def test_random_sampler_with_replacement_and_more_samples_than_data() -> None:
    drawn = list(data.RandomSampler(range(3), replacement=True, num_samples=50,
                                    generator=cr.Generator(0)))
    assert len(drawn) == 50 and set(drawn) == {0, 1, 2}
    repeated = list(data.RandomSampler(range(4), num_samples=10, generator=cr.Generator(0)))
    assert sorted(repeated[:4]) == sorted(repeated[4:8]) == [0, 1, 2, 3]
    assert len(set(repeated[8:])) == 2


def test_weighted_sampler_follows_its_weights() -> None:
    drawn = np.array(list(data.WeightedRandomSampler([0.0, 1.0, 3.0], 4000,
                                                     generator=cr.Generator(0))))
    assert 0 not in drawn and 0.7 < np.mean(drawn == 2) < 0.8
    once = list(data.WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False))
    assert sorted(once) == [0, 1, 2]
    with pytest.raises(RuntimeError, match="without replacement"):
        list(data.WeightedRandomSampler([1, 1, 0], 3, replacement=False))
    with pytest.raises(RuntimeError, match="non-negative"):
        list(data.WeightedRandomSampler([1, -1], 2))


def test_subset_random_sampler_permutes_only_its_indices() -> None:
    drawn = list(data.SubsetRandomSampler([7, 3, 9], generator=cr.Generator(2)))
    assert sorted(drawn) == [3, 7, 9]


def test_workers_fall_back_to_this_process_with_the_same_batches() -> None:
    calls: list[int] = []
    dataset = data.TensorDataset(cr.arange(9.0))
    plain = [x.tolist() for (x,) in data.DataLoader(dataset, batch_size=4)]
    loader = data.DataLoader(dataset, batch_size=4, num_workers=3, pin_memory=True,
                             persistent_workers=True, prefetch_factor=4,
                             worker_init_fn=calls.append)
    assert [x.tolist() for (x,) in loader] == plain and calls == []
    assert data.get_worker_info() is None and loader.prefetch_factor == 4


def test_the_tensor_dataset_gather_equals_collating_samples() -> None:
    dataset = data.TensorDataset(cr.randn(7, 3), cr.arange(7))
    order = data.SubsetRandomSampler(range(7), generator=cr.Generator(5))
    fast = list(data.DataLoader(dataset, batch_size=3, sampler=order))
    order = data.SubsetRandomSampler(range(7), generator=cr.Generator(5))
    slow = list(data.DataLoader(dataset, batch_size=3, sampler=order,
                                collate_fn=lambda batch: data.default_collate(batch)))
    for (x, y), (x2, y2) in zip(fast, slow, strict=True):
        assert cr.equal(x, x2) and cr.equal(y, y2) and isinstance(x, cr.Tensor)


def test_collate_keeps_structure_and_names_what_it_cannot_batch() -> None:
    point = collections.namedtuple("point", "x label")
    batch = data.default_collate([point(np.float32(1.5), "a"), point(np.float32(2.0), "b")])
    assert isinstance(batch, point) and batch.label == ("a", "b")
    assert batch.x.dtype == cr.float32 and batch.x.tolist() == [1.5, 2.0]
    with pytest.raises(TypeError, match="found <class 'object'>"):
        data.default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="equal size"):
        data.default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="element 1"):
        data.default_collate([cr.ones(2), "a"])


def test_datasets_combine_and_subsets_index_lists() -> None:
    joined = data.TensorDataset(cr.arange(3)) + data.TensorDataset(cr.arange(10, 12))
    assert isinstance(joined, data.ConcatDataset) and len(joined) == 5
    assert [joined[i][0].item() for i in (0, 2, 3, -1)] == [0, 2, 10, 11]
    with pytest.raises(ValueError, match="should not exceed dataset length"):
        joined[-6]

    class Count(data.IterableDataset):
        def __init__(self, n: int) -> None:
            self.n = n

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter(range(self.n))

        def __len__(self) -> int:
            return self.n

    chained = Count(2) + Count(3)
    assert isinstance(chained, data.ChainDataset) and list(chained) == [0, 1, 0, 1, 2]
    with pytest.raises(AssertionError, match="IterableDataset"):
        data.ConcatDataset([Count(2)])
    assert data.Subset(list("abcdef"), [5, 1, 3])[1] == "b"


@pytest.mark.parametrize("options", [
    {"shuffle": True}, {"shuffle": False, "drop_last": True},
    {"sampler": "replacement"}, {"sampler": "more-than-data"},
])
def test_the_whole_pass_gather_equals_iterating_the_sampler(options: dict) -> None:
    dataset = data.TensorDataset(cr.randn(11, 2), cr.arange(11))

    def loader(collate: object) -> list:
        settings = dict(options)
        generator = cr.Generator(9)
        if settings.get("sampler") == "replacement":
            settings["sampler"] = data.RandomSampler(dataset, True, 15, generator=generator)
        elif settings.get("sampler") == "more-than-data":
            settings["sampler"] = data.RandomSampler(dataset, num_samples=25,
                                                     generator=generator)
        else:
            settings["generator"] = generator
        return list(data.DataLoader(dataset, batch_size=4, collate_fn=collate, **settings))

    fast = loader(None)
    slow = loader(lambda batch: data.default_collate(batch))
    assert len(fast) == len(slow) > 0
    for (x, y), (x2, y2) in zip(fast, slow, strict=True):
        assert cr.equal(x, x2) and cr.equal(y, y2)
