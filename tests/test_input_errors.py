"""Input errors in the project's own words (issue 16): CSV mistakes name the file, row and
column and what was expected; predict checks the feature count; a command given a
checkpoint of the other kind says what it found and which command reads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import chainrule as cr
from chainrule.apps.ner.tagger import NerConfig, train_ner
from chainrule.apps.training import TrainConfig, train

from .test_ner import write_tiny_conll

REPOSITORY = Path(cr.__file__).parent.parent


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd,
                          env={"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a 2-feature classifier run (`mlp`) and a NER tagger run (`ner`)."""
    folder = tmp_path_factory.mktemp("runs")
    train(TrainConfig(dataset="quadrants", epochs=1, hidden=[8], out=str(folder / "mlp"),
                      progress=False), report=False)
    conll = folder / "conll"
    conll.mkdir()
    write_tiny_conll(conll)
    train_ner(NerConfig(data_dir=str(conll), out=str(folder / "ner"), epochs=1, hidden=8,
                        word_dim=4, progress=False), log=lambda *_: None)
    return folder


@pytest.mark.parametrize("text, message", [
    ("a,b,label\n0.1,0.2,1\n0.3,abc,0\n", "bad.csv, row 3, column 2: expected a number, got "
     "'abc'"),
    ("0.1,0.2,1\n0.3,0.4,0\n0.5,1\n", "bad.csv, row 3: 2 columns, but the rows before it "
     "have 3"),
    ("a,b,label\n0.1,0.2,1\n0.3,0.4,1.5\n", "bad.csv, row 3, column 3: expected a class number "
     "(0, 1, 2, ...), got 1.5"),
    ("a,b,label\n", "bad.csv has no rows of numbers"),
])
def test_csv_mistakes_name_the_row_and_column(text: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(text)
    done = command("train", "--dataset", "bad.csv", "--out", "run", "--no-progress",
                   cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == f"chainrule: {message}"


def test_predict_checks_the_feature_count(runs: Path, tmp_path: Path) -> None:
    (tmp_path / "three.csv").write_text("0.1,0.2,0.3\n0.4,0.5,0.6\n")
    done = command("predict", str(runs / "mlp"), "--input", "three.csv", cwd=tmp_path)
    assert done.returncode == 1 and "three.csv: 3 columns (features) per row, but the model " \
        "takes 2" in done.stderr
    done = command("predict", str(runs / "mlp"), "--point", "1,2,3", cwd=tmp_path)
    assert done.returncode == 2 and "3 numbers, but the model takes 2 features" in done.stderr
    (tmp_path / "two.csv").write_text("x1,x2\n0.1,0.2\n-0.4,0.5\n")
    done = command("predict", str(runs / "mlp"), "--input", "two.csv", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.count("class") == 2


@pytest.mark.parametrize("args, found, reader", [
    (["evaluate", "{ner}"], "a NER tagger checkpoint (written by chainrule ner train)",
     "chainrule ner evaluate or chainrule ner tag"),
    (["predict", "{ner}/ner.safetensors", "--point", "1,2"], "a NER tagger checkpoint",
     "chainrule ner evaluate or chainrule ner tag"),
    (["ner", "evaluate", "{mlp}", "--data-dir", "{conll}"], "a classifier checkpoint (written "
     "by chainrule train)", "chainrule evaluate or chainrule predict"),
    (["ner", "tag", "{mlp}/checkpoint.safetensors"], "a classifier checkpoint",
     "chainrule evaluate or chainrule predict"),
])
def test_a_checkpoint_of_the_other_kind_says_what_it_is(args: list[str], found: str,
                                                         reader: str, runs: Path) -> None:
    filled = [a.format(ner=runs / "ner", mlp=runs / "mlp", conll=runs / "conll") for a in args]
    done = command(*filled, cwd=runs)
    assert done.returncode == 1
    assert found in done.stderr and f"read it with {reader}" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
