"""The window NER tagger: windows, features, the model's gradients, the max-margin objective
against the notes' formula, entity scoring, and short training runs."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.apps.models import WindowClassifier
from chainrule.apps.ner import Vocabulary, caps_class, normalise, score_entities, windows
from chainrule.apps.ner.tagger import NerConfig, read_vectors, tokenize, train_ner
from chainrule.autograd import gradcheck

SHARED = Path(os.environ.get("CHAINRULE_DATA", Path(__file__).resolve().parents[2] / "shared"
                             / "data"))
CONLL = SHARED / "conll2003"


def test_windows_pad_sentence_edges_and_keep_ids() -> None:
    vocabulary = Vocabulary(["museums", "in", "paris", "are", "amazing"])
    ids = vocabulary.ids(normalise(w) for w in "Museums in Paris are amazing".split())
    assert ids == [3, 4, 5, 6, 7]
    rows = windows([ids, [vocabulary.ids(["paris"])[0]]], width=5, start=0, end=1)
    assert rows.tolist() == [[0, 0, 3, 4, 5], [0, 3, 4, 5, 6], [3, 4, 5, 6, 7],
                             [4, 5, 6, 7, 1], [5, 6, 7, 1, 1], [0, 0, 5, 1, 1]]
    assert vocabulary.ids(["london"]) == [2]  # unknown
    with pytest.raises(ValueError, match="odd"):
        windows([ids], 4, 0, 1)


def test_normalisation_and_capitalisation_classes() -> None:
    assert normalise("Paris-1996") == "paris-0000"
    assert [caps_class(w) for w in ["paris", "Paris", "EU", "McDonald", "1996", "iPod"]] == [
        1, 2, 3, 4, 5, 4]


def test_tokenizer() -> None:
    assert tokenize("Museums in Paris are amazing.") == ["Museums", "in", "Paris", "are",
                                                         "amazing", "."]
    assert tokenize("U.S. troops, 1,000 O'Neil") == ["U.S.", "troops", ",", "1,000", "O'Neil"]


@pytest.mark.parametrize("text, tokens", [
    ("Acme Inc. and Dr. Jones", ["Acme", "Inc.", "and", "Dr.", "Jones"]),
    ("Germany's exports", ["Germany", "'s", "exports"]),
    ("It doesn't, and we can't", ["It", "does", "n't", ",", "and", "we", "ca", "n't"]),
    ("the players' union", ["the", "players", "'", "union"]),
    ('"Yes," he said (AP).', ['"', "Yes", ",", '"', "he", "said", "(", "AP", ")", "."]),
    ("up 5% to $5.2 million, or US$3...", ["up", "5", "%", "to", "$", "5.2", "million", ",",
                                          "or", "US$", "3", "..."]),
    ("EU-wide ban on Jan. 5 in the U.S.", ["EU-wide", "ban", "on", "Jan.", "5", "in", "the",
                                           "U.S."]),
])
def test_tokenizer_follows_conll_2003(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.skipif(not CONLL.is_dir(), reason=f"CoNLL-2003 not found at {CONLL} (set "
                    "CHAINRULE_DATA to the folder holding conll2003/)")
def test_tokenizer_keeps_conll_tokens_whole() -> None:
    """CoNLL's own tokens, joined by spaces, come back as they were (99.8% of the training
    sentences; the rest hold tokens like '..' and 'MORAV.CHEMIC.')."""
    from chainrule.datasets import read_conll

    sentences = [[token for token, _ in s] for s in read_conll(CONLL / "train.txt")[:3000]]
    same = sum(tokenize(" ".join(tokens)) == tokens for tokens in sentences)
    assert same / len(sentences) >= 0.995


def tiny_model(dtype: object = cr.float64, activation: str = "tanh") -> WindowClassifier:
    cr.manual_seed(0)
    model = WindowClassifier(vocabulary_size=7, tags=3, width=3, word_dim=4, caps_dim=2,
                             suffix_size=5, suffix_dim=2, hidden=6, activation=activation)
    return model.to(dtype)


def test_window_model_gradients_on_a_tiny_vocabulary() -> None:
    model = tiny_model()
    words = cr.tensor([[0, 3, 4], [3, 4, 5], [4, 5, 1], [5, 5, 6]])
    caps = cr.tensor([[0, 2, 1], [2, 1, 1], [1, 1, 0], [1, 1, 3]])
    suffixes = cr.tensor([[0, 3, 4], [3, 4, 2], [4, 2, 1], [2, 2, 4]])
    tags = cr.tensor([0, 2, 1, 1])

    def loss() -> cr.Tensor:
        return cr.nn.functional.cross_entropy(model(words, caps, suffixes), tags)

    model.zero_grad()
    loss().backward()
    for name, parameter in model.named_parameters():
        if name.startswith("plausibility"):
            continue  # the tagging loss does not use the window-score head
        analytic = parameter.grad.numpy()
        numeric = np.zeros_like(analytic).reshape(-1)
        flat = parameter._array.reshape(-1)
        for j in range(flat.size):  # central differences, element by element
            keep = flat[j]
            flat[j] = keep + 1e-6
            plus = loss().item()
            flat[j] = keep - 1e-6
            minus = loss().item()
            flat[j] = keep
            numeric[j] = (plus - minus) / 2e-6
        assert np.allclose(analytic.reshape(-1), numeric, atol=1e-7, rtol=1e-5), name


def test_window_layers_pass_gradcheck() -> None:
    model = tiny_model()
    words = cr.tensor([[0, 3, 4], [3, 4, 1]])
    caps = model.caps(cr.tensor([[0, 2, 1], [2, 1, 0]])).detach()
    table = model.words.weight.detach().clone().requires_grad_()
    hidden = model.hidden.weight.detach()[:, :18].clone().requires_grad_()
    functional = cr.nn.functional

    def scores(table: cr.Tensor, hidden: cr.Tensor) -> cr.Tensor:
        x = cr.cat([functional.embedding(words, table), caps], dim=2).flatten(1)
        return functional.linear(functional.linear(x, hidden).tanh(),
                                 model.output.weight.detach())

    assert gradcheck(scores, (table, hidden))


def test_max_margin_gradient_matches_the_notes_formula() -> None:
    # J = max(0, 1 − s + s_c), s = uᵀ f(Wx + b). Where the margin is violated,
    # ∂J/∂W = −δ xᵀ + δ_c x_cᵀ with δ = u ∘ f′(z) (CS224n notes 3).
    model = tiny_model(activation="tanh")
    words = cr.tensor([[3, 4, 5]])
    corrupt = cr.tensor([[3, 6, 5]])
    caps = cr.tensor([[1, 1, 1]])
    suffixes = cr.tensor([[2, 3, 4]])
    s = model.window_score(words, caps, suffixes)
    s_c = model.window_score(corrupt, caps, suffixes)
    loss = cr.nn.functional.margin_ranking_loss(s, s_c, cr.ones(1, dtype=cr.float64),
                                                margin=1.0)
    assert loss.item() > 0  # fresh weights: the margin is violated
    model.zero_grad()
    loss.backward()

    def window_vector(ids: cr.Tensor) -> np.ndarray:
        parts = [model.words(ids), model.caps(caps), model.suffixes(suffixes)]
        return cr.cat(parts, dim=2).flatten(1).detach().numpy()[0]

    w = model.hidden.weight.detach().numpy()
    b = model.hidden.bias.detach().numpy()
    u = model.plausibility.weight.detach().numpy()[0]
    x, x_c = window_vector(words), window_vector(corrupt)
    delta = u * (1 - np.tanh(w @ x + b) ** 2)
    delta_c = u * (1 - np.tanh(w @ x_c + b) ** 2)
    expected_w = -np.outer(delta, x) + np.outer(delta_c, x_c)
    assert np.allclose(model.hidden.weight.grad.numpy(), expected_w)
    assert np.allclose(model.hidden.bias.grad.numpy(), -delta + delta_c)
    assert np.allclose(model.plausibility.weight.grad.numpy()[0],
                       -np.tanh(w @ x + b) + np.tanh(w @ x_c + b))


def test_entity_scores_count_whole_entities() -> None:
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    predicted = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "O"]]
    scores = score_entities(gold, predicted)
    # PER's right boundary is wrong: 2 of 3 predicted entities right, 2 of 3 gold found.
    assert scores.precision == pytest.approx(2 / 3) and scores.recall == pytest.approx(2 / 3)
    assert scores.per_type["PER"]["f1"] == 0 and scores.per_type["LOC"]["f1"] == 1
    wrong_type = score_entities([["B-LOC", "I-LOC"]], [["B-ORG", "I-ORG"]])
    assert wrong_type.f1 == 0
    iob1 = score_entities([["I-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]])
    assert iob1.f1 == 1  # IOB1 and IOB2 spell the same entity
    with pytest.raises(ValueError, match="same sentences"):
        score_entities([["O"]], [["O", "O"]])


def test_reading_glove_vectors(tmp_path: Path) -> None:
    vocabulary = Vocabulary(["paris", "museums"])
    path = tmp_path / "vectors.txt"
    path.write_text("Paris 0.1 0.2 0.3\nunused 1 1 1\nmuseums 0.5 0.5 0.5\n")
    found = read_vectors(path, vocabulary, 3)
    assert found == {3: [0.1, 0.2, 0.3], 4: [0.5, 0.5, 0.5]}
    model = WindowClassifier(len(vocabulary), 2, width=3, word_dim=3)
    assert model.load_vectors(found) == 2
    assert model.words.weight[3].tolist() == pytest.approx([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="vector of 3 numbers"):
        read_vectors(path, vocabulary, 4)


def write_tiny_conll(folder: Path) -> None:
    sentence = ("Museums NNS I-NP O\nin IN I-PP O\nParis NNP I-NP I-LOC\nare VBP I-VP O\n"
                "amazing JJ I-ADJP O\n. . O O\n\n")
    other = ("John NNP I-NP I-PER\nSmith NNP I-NP I-PER\nvisited VBD I-VP O\n"
             "London NNP I-NP I-LOC\n\n")
    for name in ("train.txt", "valid.txt", "test.txt"):
        (folder / name).write_text("-DOCSTART- -X- O O\n\n" + (sentence + other) * 20)


def test_ner_command_train_evaluate_and_tag(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    from chainrule.apps.cli import main

    data = tmp_path / "conll"
    data.mkdir()
    write_tiny_conll(data)
    out = tmp_path / "ner"
    assert main(["ner", "train", "--data-dir", str(data), "--out", str(out), "--epochs", "3",
                 "--pretrain-epochs", "1", "--no-progress", "--hidden", "20"]) == 0
    stdout = capsys.readouterr().out
    assert "validation F1" in stdout and "LOC" in stdout and (out / "ner.safetensors").is_file()
    assert main(["ner", "evaluate", str(out), "--data-dir", str(data)]) == 0
    assert "overall" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("Museums in Paris are amazing .\n"))
    assert main(["ner", "tag", str(out)]) == 0
    tagged = capsys.readouterr().out.split()
    assert tagged[:2] == ["Museums", "O"] and "Paris" in tagged
    # one token per line, as CoNLL files hold them (extra columns ignored), two sentences
    monkeypatch.setattr("sys.stdin", io.StringIO("Museums NNS\nin\nParis.\n\nJohn\nSmith\n"))
    assert main(["ner", "tag", str(out), "--one-token-per-line"]) == 0
    sentences = capsys.readouterr().out.strip().split("\n\n")
    assert [[line.split()[0] for line in s.splitlines()] for s in sentences] == [
        ["Museums", "in", "Paris."], ["John", "Smith"]]
    assert main(["ner", "train", "--data-dir", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.skipif(not CONLL.is_dir(), reason=f"CoNLL-2003 not found at {CONLL} (set "
                    "CHAINRULE_DATA to the folder holding conll2003/)")
def test_short_run_on_200_sentences_beats_the_majority_tag_baseline(tmp_path: Path) -> None:
    from collections import Counter, defaultdict

    from chainrule.datasets import iob1_to_iob2, read_conll

    train = read_conll(CONLL / "train.txt")[:200]
    valid = read_conll(CONLL / "valid.txt")[:500]
    by_word: dict[str, Counter[str]] = defaultdict(Counter)
    for sentence in train:
        for word, tag in zip([w for w, _ in sentence], iob1_to_iob2([t for _, t in sentence])):
            by_word[word][tag] += 1
    gold = [iob1_to_iob2([t for _, t in s]) for s in valid]
    baseline = [[by_word[w].most_common(1)[0][0] if w in by_word else "O" for w, _ in s]
                for s in valid]
    baseline_f1 = score_entities(gold, baseline).f1
    summary = train_ner(NerConfig(data_dir=str(CONLL), out=str(tmp_path / "ner"), epochs=8,
                                  max_sentences=200, max_eval_sentences=500,
                                  progress=False), log=lambda *_: None)
    assert summary["valid"]["f1"] > baseline_f1


def test_viterbi_decoding_only_spells_valid_entities() -> None:
    from chainrule.apps.ner.tagger import NerTagger, _viterbi

    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    tagger = NerTagger(tiny_model(), Vocabulary([]), Vocabulary([]), tags)
    start, allowed = tagger._transitions()
    assert start.tolist() == [True, True, False, True, False]
    assert allowed[1, 2] and allowed[2, 2] and not allowed[0, 2] and not allowed[3, 2]
    # per-word argmax would say O, I-PER, I-LOC: no valid entity sequence
    log_p = np.log(np.array([[0.6, 0.3, 0.05, 0.03, 0.02],
                             [0.3, 0.2, 0.45, 0.03, 0.02],
                             [0.1, 0.05, 0.05, 0.3, 0.5]]))
    assert [tags[i] for i in log_p.argmax(1)] == ["O", "I-PER", "I-LOC"]
    best = [tags[i] for i in _viterbi(log_p, start, allowed)]
    assert best == ["O", "O", "B-LOC"]  # the best sequence that obeys IOB2
    brute = max(((a, b, c) for a in range(5) for b in range(5) for c in range(5)
                 if start[a] and allowed[a, b] and allowed[b, c]),
                key=lambda p: log_p[0, p[0]] + log_p[1, p[1]] + log_p[2, p[2]])
    assert [tags[i] for i in brute] == best
