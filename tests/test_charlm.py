"""The character-level LSTM example (`chainrule charlm`): a tiny corpus trains and its loss
falls, samples have the asked length, an interrupted run resumes to the same weights as an
uninterrupted one, and the command line reports mistakes in one sentence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.apps.charlm import (
    Alphabet,
    CharLMConfig,
    StreamBatches,
    read_corpus,
    sample_text,
    train_charlm,
)
from chainrule.apps.charlm.run import MODEL_NAME
from chainrule.apps.cli import main
from chainrule.apps.training.loop import Interrupted

SENTENCES = ["the cat sat on the mat .", "a dog ran to the cat .", "the mat is red .",
             "a red dog sat on a cat ."]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.txt"
    rng = np.random.default_rng(0)
    path.write_text("\n".join(SENTENCES[i] for i in rng.integers(0, 4, 150)) + "\n")
    return path


def _config(corpus: Path, out: Path, **changes: object) -> CharLMConfig:
    settings: dict[str, object] = {"corpus": str(corpus), "out": str(out), "embed": 8,
                                   "hidden": 24, "seq_len": 16, "batch_size": 8, "lr": 0.01,
                                   "epochs": 3, "progress": False, "sample_length": 40,
                                   "val_fraction": 0.1}
    settings.update(changes)
    return CharLMConfig(**settings)  # type: ignore[arg-type]


def test_a_tiny_corpus_trains_and_the_loss_falls(corpus: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    summary = train_charlm(_config(corpus, tmp_path / "run"), log=lines.append)
    history = summary["history"]
    assert [record["epoch"] for record in history] == [1, 2, 3]
    assert history[-1]["loss"] < 0.75 * history[0]["loss"]
    assert history[-1]["valid_loss"] < history[0]["valid_loss"] < np.log(len(set(
        corpus.read_text())))  # below a uniform guess already after one epoch
    assert any("nats/char" in line for line in lines)
    for name in (MODEL_NAME, "charlm-resume.safetensors", "metrics.json", "curves.png",
                 "samples.txt"):
        assert (tmp_path / "run" / name).is_file(), name


def test_samples_have_the_asked_length_and_the_corpus_characters(corpus: Path,
                                                                  tmp_path: Path) -> None:
    train_charlm(_config(corpus, tmp_path / "run", epochs=1))
    for length in (0, 1, 57):
        text = sample_text(tmp_path / "run", length=length, temperature=0.8, seed=3)
        assert len(text) == length
        assert set(text) <= set(corpus.read_text())
    assert sample_text(tmp_path / "run", 30, seed=4) == sample_text(tmp_path / "run", 30, seed=4)
    assert len(sample_text(tmp_path / "run" / MODEL_NAME, 10, prime="the ", seed=5)) == 10


def test_an_interrupted_run_resumes_to_the_same_result(corpus: Path, tmp_path: Path) -> None:
    straight = train_charlm(_config(corpus, tmp_path / "straight", epochs=2, dropout=0.1,
                                    layers=2))
    with pytest.raises(Interrupted):
        train_charlm(_config(corpus, tmp_path / "stopped", epochs=2, dropout=0.1, layers=2),
                     interrupt_after=1)
    resumed = train_charlm(_config(corpus, tmp_path / "stopped", epochs=2), resume=True)
    assert len(resumed["history"]) == 2
    for key in ("loss", "valid_loss"):
        assert [r[key] for r in resumed["history"]] == pytest.approx(
            [r[key] for r in straight["history"]], rel=1e-6)
    weights = [cr.load(tmp_path / name / MODEL_NAME)["model"] for name in ("straight",
                                                                         "stopped")]
    for name, value in weights[0].items():
        np.testing.assert_allclose(weights[1][name].numpy(), value.numpy(), rtol=1e-6,
                                   err_msg=name)


def test_stream_batches_continue_across_batches() -> None:
    ids = np.arange(50)
    batches = list(StreamBatches(ids, batch=3, length=4))
    assert len(batches) == len(StreamBatches(ids, 3, 4)) == 4
    inputs = np.concatenate([b[0] for b in batches])
    targets = np.concatenate([b[1] for b in batches])
    np.testing.assert_array_equal(inputs[:, 1], np.arange(16, 32))
    np.testing.assert_array_equal(targets, inputs + 1)


def test_conll_files_are_read_as_their_words(tmp_path: Path) -> None:
    path = tmp_path / "train.txt"
    path.write_text("-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\n"
                    "Peter NNP I-NP I-PER\n")
    assert read_corpus(path) == "EU rejects\nPeter\n"
    assert read_corpus(path, max_chars=4) == "EU r"
    alphabet = Alphabet("banana")
    assert alphabet.decode(alphabet.encode("nab")) == "nab" and len(alphabet) == 3
    with pytest.raises(ValueError, match="never saw"):
        alphabet.encode("x")


def test_the_command_line(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                          ) -> None:
    out = tmp_path / "cli"
    assert main(["charlm", "train", "--corpus", str(corpus), "--out", str(out), "--epochs",
                 "1", "--hidden", "16", "--seq-len", "16", "--batch-size", "8",
                 "--no-progress"]) == 0
    assert "nats per character" in capsys.readouterr().out
    assert main(["charlm", "sample", "--model", str(out), "--length", "25", "--seed", "0",
                 "--prime", "the "]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("the ") and len(printed) == len("the ") + 25 + 1
    assert main(["charlm", "train", "--corpus", str(tmp_path / "missing.txt"), "--out",
                 str(out)]) == 1
    assert "no corpus file at" in capsys.readouterr().err
    assert main(["charlm", "train", "--out", str(tmp_path / "none"), "--resume"]) == 1
    assert "no checkpoint" in capsys.readouterr().err
    assert main(["charlm", "sample", "--model", str(out), "--temperature", "0"]) == 2
    assert main(["charlm", "sample", "--model", str(tmp_path)]) == 1
    assert "no character model" in capsys.readouterr().err


def test_the_default_corpus_is_found_through_chainrule_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from chainrule.apps.charlm import default_corpus

    (tmp_path / "conll2003").mkdir()
    (tmp_path / "conll2003" / "train.txt").write_text("-DOCSTART- -X- O O\n\nHi NNP O O\n")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path))
    assert default_corpus() == tmp_path / "conll2003" / "train.txt"
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "elsewhere"))
    if not (Path(__file__).resolve().parents[2] / "shared" / "data" / "conll2003").is_dir():
        with pytest.raises(FileNotFoundError, match="--corpus FILE"):
            default_corpus()
