"""The `chainrule` command: train, evaluate, predict, and explain the chain rule.

    chainrule train                       # an MLP on the spiral data, in seconds
    chainrule train --dataset mnist --data-dir DIR --epochs 3
    chainrule evaluate runs/latest        # a saved model on its test split
    chainrule predict runs/latest --point 0.2,-0.4
    chainrule explain "(x+y)*z" x=-2 y=5 z=-4
    chainrule explain --example sigmoid-circuit
    chainrule charlm train --out runs/charlm  # a character-level LSTM language model
    chainrule charlm sample --model runs/charlm --length 200

`chainrule` alone prints this help. Every mistake ends in one sentence on stderr: exit
status 2 for a mistake in the command line (`errors.UsageError`, and argparse's own), 1 for
a run that failed (a missing or malformed file, a checkpoint of another kind), 130 after
Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from .errors import FAILURE_STATUS, USAGE_STATUS, UsageError

__all__ = ["main"]

SPLITS = ("train", "val", "test")  # one name for each split, in every command


class _HelpFormatter(argparse.HelpFormatter):
    """Every option's default at the end of its help (none for flags and unset options)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if "%(default)" in text or not action.option_strings or default is None \
                or default is False \
                or default is argparse.SUPPRESS or isinstance(action, argparse._VersionAction):
            return text
        shown = " ".join(map(str, default)) if isinstance(default, list) else str(default)
        return f"{text} (default: {shown.replace('%', '%%')})"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one sentence, not a usage dump."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_STATUS, f"chainrule: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _version() -> str:
    import chainrule

    return f"chainrule {chainrule.__version__}"


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="chainrule", description="Reverse-mode autodiff and neural "
                     "networks you can watch: train models, and see the chain rule at work.")
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    _add_train_command(commands)
    _add_saved_model_commands(commands)
    _add_explain_command(commands)
    _add_ner_commands(commands)
    from .charlm.commands import add_charlm_commands

    add_charlm_commands(commands, _Parser, _positive_int)
    return parser


def _add_train_command(commands: Any) -> None:
    from .models.mlp import ACTIVATIONS
    from .training.config import (
        DEFAULT_LR,
        DEFAULT_STEPS,
        INITS,
        LOSSES,
        MAX_EPOCHS,
        MIN_EPOCHS,
        MODEL_SCHEDULES,
        MODELS,
        OPTIMIZERS,
        SCHEDULES,
        TrainConfig,
    )

    defaults = TrainConfig()
    train = commands.add_parser("train", help="train an MLP (or LeNet-5) classifier and write "
                                "a report")
    train.add_argument("--dataset", default=defaults.dataset,
                       help="spiral, quadrants, mnist (with --data-dir), a folder of the four "
                            "MNIST-format IDX files, or a .csv/.npz file of features and "
                            "labels")
    train.add_argument("--data-dir", help="folder holding the four MNIST-format IDX files")
    train.add_argument("--model", default=defaults.model, choices=MODELS, metavar="NAME",
                       help="mlp (layers from --hidden) or lenet (LeNet-5, a convolutional "
                            "net for 28×28 images such as MNIST)")
    train.add_argument("--hidden", type=_positive_int, nargs="+", default=defaults.hidden,
                       metavar="SIZE", help="hidden layer sizes")
    train.add_argument("--activation", default=defaults.activation, choices=sorted(ACTIVATIONS),
                       metavar="NAME", help=f"{', '.join(sorted(ACTIVATIONS))}")
    train.add_argument("--loss", default=defaults.loss, choices=LOSSES, metavar="NAME",
                       help=f"{', '.join(LOSSES)}")
    train.add_argument("--optimizer", default=defaults.optimizer, choices=OPTIMIZERS,
                       metavar="NAME", help=f"{', '.join(OPTIMIZERS)}")
    rates = ", ".join(f"{name} {rate:g}" for name, rate in DEFAULT_LR.items())
    train.add_argument("--lr", type=float, help=f"learning rate (default: {rates})")
    train.add_argument("--weight-decay", type=float, default=defaults.weight_decay,
                       help="L2 regularisation strength")
    train.add_argument("--init", default=defaults.init, choices=INITS, metavar="NAME",
                       help=f"{', '.join(INITS)}")
    train.add_argument("--batch-size", type=_positive_int, default=defaults.batch_size,
                       help="samples per step")
    train.add_argument("--epochs", type=_positive_int, help="passes over the training data "
                       f"(default: enough for about {DEFAULT_STEPS:,} steps, at least "
                       f"{MIN_EPOCHS} epochs and at most {MAX_EPOCHS}: 400 for the spiral, "
                       "10 for MNIST)")
    train.add_argument("--seed", type=int, default=defaults.seed,
                       help="seed of every random draw (data, weights, batches, dropout)")
    train.add_argument("--dropout", type=float, default=defaults.dropout,
                       help="dropout after each hidden layer")
    train.add_argument("--input-dropout", type=float, default=defaults.input_dropout,
                       help="dropout on the inputs")
    train.add_argument("--label-smoothing", type=float, default=defaults.label_smoothing,
                       help="cross-entropy label smoothing")
    train.add_argument("--schedule", choices=SCHEDULES, metavar="NAME",
                       help="learning-rate schedule: none or cosine (default: "
                            f"{MODEL_SCHEDULES['lenet']} for lenet, {defaults.schedule} "
                            "otherwise)")
    train.add_argument("--out", default=defaults.out, help="output folder")
    train.add_argument("--tensorboard", metavar="DIR", help="also log every epoch (losses, "
                       "accuracies, learning rate, gradient health, weight histograms) for "
                       "TensorBoard into DIR: tensorboard --logdir DIR")
    train.add_argument("--resume", action="store_true", help="continue the run in --out "
                       "from its last checkpoint")
    train.add_argument("--compile", action="store_true", help="trace the gradient step "
                       "once per batch shape and replay it (cr.compile)")
    train.add_argument("--no-progress", action="store_true", help="no progress display (a "
                       "bar on a terminal, otherwise a line every 30 s of an epoch)")


def _add_saved_model_commands(commands: Any) -> None:
    """evaluate and predict: what a model saved by `chainrule train` does on data."""
    evaluate = commands.add_parser("evaluate", help="a saved model's loss and accuracy")
    evaluate.add_argument("checkpoint", help="a checkpoint file or a run folder")
    evaluate.add_argument("--data", "--dataset", dest="dataset",
                          help="data set (default: the one it was trained on)")
    evaluate.add_argument("--data-dir", help="folder of MNIST-format IDX files (default: the "
                          "one it was trained on)")
    evaluate.add_argument("--split", default="test", choices=SPLITS, help="which split")

    predict = commands.add_parser("predict", help="classes for new inputs")
    predict.add_argument("checkpoint", help="a checkpoint file or a run folder")
    predict.add_argument("--point", action="append", default=[], metavar="X1,X2,…",
                         help="one input, as comma-separated numbers (repeatable)")
    predict.add_argument("--input", help="a .csv, .npz or .npy file of inputs, one per row")


def _add_explain_command(commands: Any) -> None:
    explain = commands.add_parser("explain", help="the backward pass of an expression, as "
                                  "text and a picture")
    explain.add_argument("expression", nargs="?", help="e.g. \"(x+y)*z\"")
    explain.add_argument("values", nargs="*", help="NAME=VALUE for each variable")
    explain.add_argument("--example", metavar="NAME", help="one of the notes' examples: "
                         "add-multiply, sigmoid-circuit, car-price, max-gate")
    explain.add_argument("--out", help="picture file, .svg/.png/.dot (default: named after "
                         "the example, or the expression and its values, so pictures of "
                         "different expressions do not overwrite each other)")


def _add_ner_commands(commands: Any) -> None:
    from .ner.tagger import NerConfig

    defaults = NerConfig()
    ner = commands.add_parser("ner", help="the window named-entity recogniser (CoNLL-2003)")
    actions = ner.add_subparsers(dest="ner_command", parser_class=_Parser, metavar="ACTION")
    train = actions.add_parser("train", help="train on CoNLL column files")
    train.add_argument("--data-dir", help="folder with train.txt, valid.txt, test.txt "
                       "(needed unless --resume)")
    train.add_argument("--out", default=defaults.out, help="output folder")
    train.add_argument("--epochs", type=_positive_int, default=defaults.epochs,
                       help="at most this many passes over the training data")
    train.add_argument("--patience", type=_positive_int, default=defaults.patience,
                       help="early stopping: epochs without a better validation F1")
    train.add_argument("--optimizer", default=defaults.optimizer, choices=("adagrad", "sgd"),
                       metavar="NAME", help="adagrad or sgd")
    train.add_argument("--lr", type=float, default=defaults.lr, help="learning rate")
    train.add_argument("--weight-decay", type=float, default=defaults.weight_decay,
                       help="L2 regularisation")
    train.add_argument("--batch-size", type=_positive_int, default=defaults.batch_size,
                       help="windows per step")
    train.add_argument("--window", type=_positive_int, default=defaults.width,
                       help="words per window (odd)")
    train.add_argument("--word-dim", type=_positive_int, default=defaults.word_dim,
                       help="size of the word vectors")
    train.add_argument("--hidden", type=_positive_int, default=defaults.hidden,
                       help="hidden units")
    train.add_argument("--activation", default=defaults.activation,
                       choices=("tanh", "hardtanh"), metavar="NAME", help="tanh or hardtanh")
    train.add_argument("--suffix-dim", type=int, default=defaults.suffix_dim,
                       help="size of the 3-letter suffix vectors (0: no suffix feature)")
    train.add_argument("--dropout", type=float, default=defaults.dropout,
                       help="dropout on the hidden layer")
    train.add_argument("--word-dropout", type=float, default=defaults.word_dropout,
                       help="probability that a word seen once in training becomes <unk>")
    train.add_argument("--pretrain-epochs", type=int, default=defaults.pretrain_epochs,
                       help="epochs of max-margin pre-training of the word vectors first")
    train.add_argument("--vectors", help="a GloVe-format word-vector file to start from")
    train.add_argument("--decode", default=defaults.decode, choices=("viterbi", "argmax"),
                       metavar="NAME", help="viterbi (only tag sequences that spell "
                       "entities) or argmax (each word on its own)")
    train.add_argument("--seed", type=int, default=defaults.seed,
                       help="seed of every random draw (data, weights, batches, dropout)")
    train.add_argument("--resume", action="store_true", help="continue the run in --out "
                       "from its last finished epoch")
    train.add_argument("--compile", action="store_true", help="trace the gradient step "
                       "once per batch shape and replay it (cr.compile)")
    train.add_argument("--no-progress", action="store_true", help="no progress display (a "
                       "bar on a terminal, otherwise a line every 30 s of an epoch)")
    evaluate = actions.add_parser("evaluate", help="entity scores of a saved tagger")
    evaluate.add_argument("checkpoint", help="a tagger checkpoint file or its run folder")
    evaluate.add_argument("--data-dir", required=True, help="folder with the CoNLL files")
    evaluate.add_argument("--split", default="test", choices=SPLITS,
                          help="which split (val is valid.txt)")
    tag = actions.add_parser("tag", help="tag sentences read from standard input")
    tag.add_argument("checkpoint", help="a tagger checkpoint file or its run folder")
    tag.add_argument("--one-token-per-line", action="store_true", help="read tokens as "
                     "CoNLL files hold them: one per line (its first column), a blank line "
                     "between sentences; otherwise each line is a sentence of raw text, cut "
                     "into tokens as CoNLL-2003 does")


def _ner(args: argparse.Namespace) -> int:
    actions = {"train": _ner_train, "evaluate": _ner_evaluate, "tag": _ner_tag}
    return actions[args.ner_command](args)


def _ner_train(args: argparse.Namespace) -> int:
    from .ner.scoring import EntityScores
    from .ner.tagger import NerConfig, train_ner
    from .training.loop import Interrupted

    if not args.data_dir and not args.resume:
        raise UsageError("ner train needs --data-dir, the folder with train.txt, valid.txt "
                         "and test.txt")
    config = NerConfig(data_dir=args.data_dir or ".", out=args.out, epochs=args.epochs,
                       patience=args.patience, optimizer=args.optimizer, lr=args.lr,
                       weight_decay=args.weight_decay, batch_size=args.batch_size,
                       width=args.window, word_dim=args.word_dim, hidden=args.hidden,
                       activation=args.activation, suffix_dim=args.suffix_dim,
                       dropout=args.dropout, word_dropout=args.word_dropout,
                       pretrain_epochs=args.pretrain_epochs, vectors=args.vectors,
                       decode=args.decode, seed=args.seed,
                       progress=not args.no_progress, compile=args.compile)
    try:
        summary = train_ner(config, resume=args.resume)
    except Interrupted as stop:
        print(f"\nchainrule: {stop}; continue with: chainrule ner train --resume --out "
              f"{stop.out}", file=sys.stderr)
        return 130
    print(f"best epoch {summary['best_epoch']}; validation F1 "
          f"{100 * summary['valid']['f1']:.2f}, test F1 {100 * summary['test']['f1']:.2f}"
          f"; {_duration(summary['seconds'])}")
    for split, shown in (("valid", "val"), ("test", "test")):
        scores = summary[split]
        print(f"\n{shown}:")
        print(EntityScores(scores["precision"], scores["recall"], scores["f1"],
                           scores["per_type"]).table())
    print(f"wrote {Path(args.out) / 'ner.safetensors'}, {Path(args.out) / 'metrics.json'}, "
          f"{Path(args.out) / 'curves.png'}")
    return 0


def _ner_evaluate(args: argparse.Namespace) -> int:
    from .ner.tagger import evaluate_tagger

    scores = evaluate_tagger(args.checkpoint, args.data_dir, args.split)
    print(f"{args.split}:\n{scores.table()}")
    return 0


def _ner_tag(args: argparse.Namespace) -> int:
    from .ner.tagger import load_tagger

    tagger = load_tagger(args.checkpoint)
    sentences = _token_sentences(sys.stdin) if args.one_token_per_line else \
        iter(sys.stdin)
    for sentence in sentences:
        pairs = tagger.tag_tokens(sentence) if isinstance(sentence, list) else \
            tagger.tag_text(sentence)
        if pairs:
            print("\n".join(f"{token} {tag}" for token, tag in pairs) + "\n")
    return 0


def _token_sentences(lines: Any) -> Any:
    """Sentences of tokens from lines of one token each (the first column), blank lines (or
    -DOCSTART- lines) between sentences."""
    sentence: list[str] = []
    for line in lines:
        columns = line.split()
        if not columns or columns[0] == "-DOCSTART-":
            if sentence:
                yield sentence
            sentence = []
            continue
        sentence.append(columns[0])
    if sentence:
        yield sentence


def _train(args: argparse.Namespace) -> int:
    from .training import TrainConfig, train
    from .training.config import MODEL_SCHEDULES
    from .training.trainer import Interrupted

    schedule = args.schedule or MODEL_SCHEDULES.get(args.model, TrainConfig.schedule)
    config = TrainConfig(dataset=args.dataset, data_dir=args.data_dir, hidden=args.hidden,
                         activation=args.activation, loss=args.loss, optimizer=args.optimizer,
                         lr=args.lr, weight_decay=args.weight_decay, init=args.init,
                         batch_size=args.batch_size, epochs=args.epochs, seed=args.seed,
                         out=args.out, dropout=args.dropout, input_dropout=args.input_dropout,
                         label_smoothing=args.label_smoothing,
                         schedule=schedule,
                         tensorboard=args.tensorboard, model=args.model,
                         progress=not args.no_progress, compile=args.compile)
    if not args.resume:
        config.validate()
    try:
        result = train(config, resume=args.resume)
    except Interrupted as stop:
        print(f"\nchainrule: {stop}; continue with: chainrule train --resume --out "
              f"{stop.out}", file=sys.stderr)
        return 130
    final = result.history[-1]
    print(f"done: test accuracy {result.test_accuracy:.4f} (error "
          f"{100 * (1 - result.test_accuracy):.2f}%), final training accuracy "
          f"{final['train_accuracy']:.4f}; training {_duration(result.seconds)}, wall time "
          f"{_duration(result.wall_seconds)}")
    shown = ", ".join(str(path) for path in [result.out / "checkpoint.safetensors",
                                             result.out / "metrics.json", *result.report_files])
    print(f"wrote {shown}")
    return 0


def _duration(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{rest:04.1f}s" if minutes else f"{rest:.1f}s"


def _evaluate(args: argparse.Namespace) -> int:
    from .training import evaluate_checkpoint

    result = evaluate_checkpoint(args.checkpoint, args.dataset, args.data_dir, args.split)
    print(f"{args.split}: {result.count} samples, loss {result.loss:.4f}, accuracy "
          f"{result.accuracy:.4f} (error {100 * (1 - result.accuracy):.2f}%)")
    classes = result.confusion.shape[0]
    if classes > 2:
        print("\n" + _class_table(result.confusion, result.per_class_accuracy))
    return 0


def _class_table(confusion: Any, accuracy: list[float]) -> str:
    """Per-class accuracy, then the confusion matrix (rows: true class, columns:
    predicted), as aligned text."""
    classes = confusion.shape[0]
    width = max(len(str(int(confusion.max()))), len(str(classes - 1))) + 1
    lines = ["class  samples  accuracy"]
    lines += [f"{k:>5}  {int(confusion[k].sum()):>7}  {100 * accuracy[k]:>7.2f}%"
              for k in range(classes)]
    lines.append("\nconfusion matrix (rows: true class, columns: predicted class)")
    lines.append(" " * 6 + "".join(f"{k:>{width}}" for k in range(classes)))
    lines += [f"{k:>5} " + "".join(f"{int(v):>{width}}" for v in confusion[k])
              for k in range(classes)]
    return "\n".join(lines)


def _predict(args: argparse.Namespace) -> int:
    import numpy as np

    from chainrule import from_numpy, no_grad

    from .training.trainer import load_model

    model, _, state = load_model(args.checkpoint)
    features = _inputs_to_predict(args, int(state["features"]))
    mean, std = state["input_mean"].numpy(), state["input_std"].numpy()
    inputs = from_numpy(((features - mean) / std).astype(np.float32))
    with no_grad():
        probabilities = model(inputs).softmax(1).numpy()
    for row, p in zip(features, probabilities):
        label = int(p.argmax())
        shown = ",".join(f"{v:g}" for v in row[:8]) + ("…" if len(row) > 8 else "")
        print(f"{shown}\tclass {label}\tprobability {p[label]:.4f}")
    return 0


def _inputs_to_predict(args: argparse.Namespace, expected: int) -> Any:
    """The --point inputs, then the rows of the --input file, as one float64 array, each
    checked against the `expected` number of features."""
    import numpy as np

    from .training.data import read_table

    rows: list[Any] = []
    for point in args.point:
        try:
            rows.append([float(v) for v in point.split(",")])
        except ValueError:
            raise UsageError(f"--point must be comma-separated numbers, got '{point}'") from None
        if len(rows[-1]) != expected:
            raise UsageError(f"--point {point}: {len(rows[-1])} numbers, but the model takes "
                             f"{expected} features per input")
    features = np.array(rows, dtype=np.float64).reshape(len(rows), expected)
    if args.input:
        path = Path(args.input)
        if path.suffix == ".npy":
            if not path.is_file():
                raise FileNotFoundError(f"no input file at {path}")
            try:
                loaded = np.load(path).astype(np.float64)
            except (OSError, ValueError) as error:
                raise ValueError(f"{path} is not a readable .npy array ({error})") from None
        else:
            loaded, _ = read_table(path, labelled=False)
        loaded = loaded.reshape(loaded.shape[0], -1)
        if loaded.shape[1] != expected:
            raise ValueError(f"{path}: {loaded.shape[1]} columns (features) per row, but the "
                             f"model takes {expected}; predict reads features only, with no "
                             "label column")
        features = np.vstack([features, loaded])
    if features.size == 0:
        raise UsageError("give inputs with --point X1,X2,… or --input FILE")
    return features


def _explain(args: argparse.Namespace) -> int:
    from chainrule.viz import draw, explain

    from .expression import EXAMPLES, evaluate_expression, parse_assignments, picture_name

    if args.example:
        if args.example not in EXAMPLES:
            raise UsageError(f"unknown example '{args.example}': choose one of "
                             f"{', '.join(EXAMPLES)}")
        if args.expression:
            raise UsageError("give either --example or an expression, not both")
        text, values, about = EXAMPLES[args.example]
        print(f"{args.example}: {about}\nf = {text} at " +
              ", ".join(f"{k}={v:g}" for k, v in values.items()))
    else:
        if not args.expression:
            raise UsageError("give an expression such as \"(x+y)*z\" x=-2 y=5 z=-4, or "
                             "--example NAME")
        text, values = args.expression, parse_assignments(args.values)
    output, leaves = evaluate_expression(text, values)
    print(explain(output, names=leaves))
    path = args.out or picture_name(text, values, args.example)
    draw(output, names=leaves, path=path)
    print(f"wrote {path}")
    return 0


def _join_negative_values(arguments: list[str]) -> list[str]:
    """`--point -0.3,0.2` as `--point=-0.3,0.2`: argparse would read the value as an option."""
    joined: list[str] = []
    index = 0
    while index < len(arguments):
        word = arguments[index]
        following = arguments[index + 1] if index + 1 < len(arguments) else ""
        if word == "--point" and following.startswith("-") and following[1:2] in \
                "0123456789.":
            joined.append(f"{word}={following}")
            index += 2
            continue
        joined.append(word)
        index += 1
    return joined


def _charlm(args: argparse.Namespace) -> int:
    from .charlm.commands import run_charlm

    return run_charlm(args)


_HANDLERS = {"train": _train, "evaluate": _evaluate, "predict": _predict, "explain": _explain,
             "ner": _ner, "charlm": _charlm}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    arguments = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(arguments)
    if args.command is None:  # `chainrule` alone: what it can do, not a surprise run
        parser.print_help()
        return 0
    if args.command == "ner" and args.ner_command is None:
        parser.parse_args(["ner", "--help"])
    if args.command == "charlm" and args.charlm_command is None:
        parser.parse_args(["charlm", "--help"])
    try:
        return _HANDLERS[args.command](args)
    except KeyboardInterrupt:
        print("\nchainrule: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, KeyError, OSError, RuntimeError) as error:
        if args.debug:
            raise
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"chainrule: {message}", file=sys.stderr)
        from .parallel import stop_the_job

        stop_the_job(str(message))  # under mpiexec: the other processes must not wait
        return USAGE_STATUS if isinstance(error, UsageError) else FAILURE_STATUS


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
