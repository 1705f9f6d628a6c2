"""The `chainrule` command: train, evaluate, predict, and explain the chain rule.

    chainrule train                       # an MLP on the spiral data, in seconds
    chainrule train --dataset mnist --data-dir DIR --hidden 1024 1024 ...
    chainrule evaluate runs/latest        # a saved model on its test split
    chainrule predict runs/latest --point 0.2,-0.4
    chainrule explain "(x+y)*z" x=-2 y=5 z=-4
    chainrule explain --example sigmoid-circuit

Mistakes in the arguments end in one sentence on stderr and exit status 2; errors while
running (a missing file, a bad checkpoint) in one sentence and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one sentence, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"chainrule: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="chainrule", description="Reverse-mode autodiff and neural "
                     "networks you can watch: train models, and see the chain rule at work.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    _add_train_command(commands)
    _add_saved_model_commands(commands)
    _add_explain_command(commands)
    _add_ner_commands(commands)
    return parser


def _add_train_command(commands: Any) -> None:
    from .training.config import LOSSES, OPTIMIZERS, TrainConfig

    defaults = TrainConfig()
    train = commands.add_parser("train", help="train an MLP classifier and write a report")
    train.add_argument("--dataset", default=defaults.dataset,
                       help="spiral, quadrants, mnist, or a .csv/.npz file of features and "
                            "labels (default: spiral)")
    train.add_argument("--data-dir", help="folder holding the MNIST IDX files")
    train.add_argument("--hidden", type=_positive_int, nargs="+", default=defaults.hidden,
                       metavar="SIZE", help="hidden layer sizes (default: 100)")
    train.add_argument("--activation", default=defaults.activation,
                       help="relu, sigmoid, tanh, softplus, hardtanh (default: relu)")
    train.add_argument("--loss", default=defaults.loss, help=f"{', '.join(LOSSES)}")
    train.add_argument("--optimizer", default=defaults.optimizer,
                       help=f"{', '.join(OPTIMIZERS)} (default: adam)")
    train.add_argument("--lr", type=float, help="learning rate (default depends on the "
                       "optimizer)")
    train.add_argument("--weight-decay", type=float, default=defaults.weight_decay,
                       help="L2 regularisation strength (default: 1e-4)")
    train.add_argument("--init", default=defaults.init, help="default, xavier or kaiming")
    train.add_argument("--batch-size", type=_positive_int, default=defaults.batch_size)
    train.add_argument("--epochs", type=_positive_int, default=defaults.epochs)
    train.add_argument("--seed", type=int, default=defaults.seed)
    train.add_argument("--dropout", type=float, default=0.0, help="dropout after each hidden "
                       "layer")
    train.add_argument("--input-dropout", type=float, default=0.0)
    train.add_argument("--label-smoothing", type=float, default=0.0)
    train.add_argument("--schedule", default="none", help="none or cosine (learning rate)")
    train.add_argument("--out", default=defaults.out, help="output folder (default: "
                       "runs/latest)")
    train.add_argument("--resume", action="store_true", help="continue the run in --out "
                       "from its last checkpoint")
    train.add_argument("--no-progress", action="store_true", help="no progress bars")


def _add_saved_model_commands(commands: Any) -> None:
    """evaluate and predict: what a model saved by `chainrule train` does on data."""
    evaluate = commands.add_parser("evaluate", help="a saved model's loss and accuracy")
    evaluate.add_argument("checkpoint", help="a checkpoint file or a run folder")
    evaluate.add_argument("--data", "--dataset", dest="dataset",
                          help="data set (default: the one it was trained on)")
    evaluate.add_argument("--data-dir")
    evaluate.add_argument("--split", default="test", help="train, val or test")

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
    explain.add_argument("--example", help="one of the notes' examples: add-multiply, "
                         "sigmoid-circuit, car-price, max-gate")
    explain.add_argument("--out", default="graph.svg", help="picture file, .svg/.png/.dot "
                         "(default: graph.svg)")


def _add_ner_commands(commands: Any) -> None:
    from .ner.tagger import NerConfig

    defaults = NerConfig()
    ner = commands.add_parser("ner", help="the window named-entity recogniser (CoNLL-2003)")
    actions = ner.add_subparsers(dest="ner_command", parser_class=_Parser)
    train = actions.add_parser("train", help="train on CoNLL column files")
    train.add_argument("--data-dir", required=True, help="folder with train.txt, valid.txt, "
                       "test.txt")
    train.add_argument("--out", default=defaults.out)
    train.add_argument("--epochs", type=_positive_int, default=defaults.epochs)
    train.add_argument("--patience", type=_positive_int, default=defaults.patience,
                       help="early stopping: epochs without a better validation F1")
    train.add_argument("--optimizer", default=defaults.optimizer, help="adagrad or sgd")
    train.add_argument("--lr", type=float, default=defaults.lr)
    train.add_argument("--weight-decay", type=float, default=defaults.weight_decay,
                       help="L2 regularisation")
    train.add_argument("--batch-size", type=_positive_int, default=defaults.batch_size)
    train.add_argument("--window", type=_positive_int, default=defaults.width)
    train.add_argument("--word-dim", type=_positive_int, default=defaults.word_dim)
    train.add_argument("--hidden", type=_positive_int, default=defaults.hidden)
    train.add_argument("--activation", default=defaults.activation, help="tanh or hardtanh")
    train.add_argument("--suffix-dim", type=int, default=defaults.suffix_dim,
                       help="size of the 3-letter suffix vectors (0: no suffix feature)")
    train.add_argument("--dropout", type=float, default=defaults.dropout)
    train.add_argument("--word-dropout", type=float, default=defaults.word_dropout)
    train.add_argument("--pretrain-epochs", type=int, default=defaults.pretrain_epochs,
                       help="epochs of max-margin pre-training of the word vectors first")
    train.add_argument("--vectors", help="a GloVe-format word-vector file to start from")
    train.add_argument("--decode", default=defaults.decode, help="viterbi (only tag sequences "
                       "that spell entities) or argmax (each word on its own)")
    train.add_argument("--seed", type=int, default=defaults.seed)
    train.add_argument("--no-progress", action="store_true")
    evaluate = actions.add_parser("evaluate", help="entity scores of a saved tagger")
    evaluate.add_argument("checkpoint")
    evaluate.add_argument("--data-dir", required=True)
    evaluate.add_argument("--split", default="test", help="train, valid or test")
    tag = actions.add_parser("tag", help="tag sentences read from standard input")
    tag.add_argument("checkpoint")


def _ner(args: argparse.Namespace) -> int:
    actions = {"train": _ner_train, "evaluate": _ner_evaluate, "tag": _ner_tag}
    if args.ner_command not in actions:
        raise ValueError("choose one of: chainrule ner train | evaluate | tag")
    return actions[args.ner_command](args)


def _ner_train(args: argparse.Namespace) -> int:
    from .ner.scoring import EntityScores
    from .ner.tagger import NerConfig, train_ner

    config = NerConfig(data_dir=args.data_dir, out=args.out, epochs=args.epochs,
                       patience=args.patience, optimizer=args.optimizer, lr=args.lr,
                       weight_decay=args.weight_decay, batch_size=args.batch_size,
                       width=args.window, word_dim=args.word_dim, hidden=args.hidden,
                       activation=args.activation, suffix_dim=args.suffix_dim,
                       dropout=args.dropout, word_dropout=args.word_dropout,
                       pretrain_epochs=args.pretrain_epochs, vectors=args.vectors,
                       decode=args.decode, seed=args.seed,
                       progress=not args.no_progress and sys.stderr.isatty())
    summary = train_ner(config)
    print(f"best epoch {summary['best_epoch']}; validation F1 "
          f"{100 * summary['valid']['f1']:.2f}, test F1 {100 * summary['test']['f1']:.2f}"
          f"; {_duration(summary['seconds'])}")
    for split in ("valid", "test"):
        scores = summary[split]
        print(f"\n{split}:")
        print(EntityScores(scores["precision"], scores["recall"], scores["f1"],
                           scores["per_type"]).table())
    print(f"wrote {Path(args.out) / 'ner.safetensors'}, {Path(args.out) / 'scores.json'}")
    return 0


def _ner_evaluate(args: argparse.Namespace) -> int:
    from .ner.tagger import evaluate_tagger

    scores = evaluate_tagger(args.checkpoint, args.data_dir, args.split)
    print(f"{args.split}:\n{scores.table()}")
    return 0


def _ner_tag(args: argparse.Namespace) -> int:
    from .ner.tagger import load_tagger

    tagger = load_tagger(args.checkpoint)
    for line in sys.stdin:
        pairs = tagger.tag_text(line)
        if pairs:
            print("\n".join(f"{token} {tag}" for token, tag in pairs) + "\n")
    return 0


def _train(args: argparse.Namespace) -> int:
    from .training import TrainConfig, train
    from .training.trainer import Interrupted

    config = TrainConfig(dataset=args.dataset, data_dir=args.data_dir, hidden=args.hidden,
                         activation=args.activation, loss=args.loss, optimizer=args.optimizer,
                         lr=args.lr, weight_decay=args.weight_decay, init=args.init,
                         batch_size=args.batch_size, epochs=args.epochs, seed=args.seed,
                         out=args.out, dropout=args.dropout, input_dropout=args.input_dropout,
                         label_smoothing=args.label_smoothing, schedule=args.schedule,
                         progress=not args.no_progress and sys.stderr.isatty())
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

    loss, accuracy, count = evaluate_checkpoint(args.checkpoint, args.dataset, args.data_dir,
                                                args.split)
    print(f"{args.split}: {count} samples, loss {loss:.4f}, accuracy {accuracy:.4f} (error "
          f"{100 * (1 - accuracy):.2f}%)")
    return 0


def _predict(args: argparse.Namespace) -> int:
    import numpy as np

    from chainrule import from_numpy, no_grad

    from .training.trainer import load_model

    model, _, state = load_model(args.checkpoint)
    features = _inputs_to_predict(args)
    expected = int(state["features"])
    if features.shape[1] != expected:
        raise ValueError(f"the model takes {expected} features per input, got "
                         f"{features.shape[1]}")
    mean, std = state["input_mean"].numpy(), state["input_std"].numpy()
    inputs = from_numpy(((features - mean) / std).astype(np.float32))
    with no_grad():
        probabilities = model(inputs).softmax(1).numpy()
    for row, p in zip(features, probabilities):
        label = int(p.argmax())
        shown = ",".join(f"{v:g}" for v in row[:8]) + ("…" if len(row) > 8 else "")
        print(f"{shown}\tclass {label}\tprobability {p[label]:.4f}")
    return 0


def _inputs_to_predict(args: argparse.Namespace) -> Any:
    """The --point inputs, then the rows of the --input file, as one float64 array."""
    import numpy as np

    from .training.data import read_table

    rows: list[Any] = []
    for point in args.point:
        try:
            rows.append([float(v) for v in point.split(",")])
        except ValueError:
            raise ValueError(f"--point must be comma-separated numbers, got '{point}'") from None
    features = np.array(rows, dtype=np.float64)
    if args.input:
        path = Path(args.input)
        if path.suffix == ".npy":
            if not path.is_file():
                raise FileNotFoundError(f"no input file at {path}")
            loaded = np.load(path).astype(np.float64)
        else:
            loaded, _ = read_table(path)
        loaded = loaded.reshape(loaded.shape[0], -1)
        features = loaded if not rows else np.vstack([features, loaded])
    if features.size == 0:
        raise ValueError("give inputs with --point X1,X2,… or --input FILE")
    return features


def _explain(args: argparse.Namespace) -> int:
    from chainrule.viz import draw, explain

    from .expression import EXAMPLES, evaluate_expression, parse_assignments

    if args.example:
        if args.example not in EXAMPLES:
            raise ValueError(f"unknown example '{args.example}': choose one of "
                             f"{', '.join(EXAMPLES)}")
        if args.expression:
            raise ValueError("give either --example or an expression, not both")
        text, values, about = EXAMPLES[args.example]
        print(f"{args.example}: {about}\nf = {text} at " +
              ", ".join(f"{k}={v:g}" for k, v in values.items()))
    else:
        if not args.expression:
            raise ValueError("give an expression such as \"(x+y)*z\" x=-2 y=5 z=-4, or "
                             "--example NAME")
        text, values = args.expression, parse_assignments(args.values)
    output, leaves = evaluate_expression(text, values)
    print(explain(output, names=leaves))
    draw(output, names=leaves, path=args.out)
    print(f"wrote {args.out}")
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


_HANDLERS = {"train": _train, "evaluate": _evaluate, "predict": _predict, "explain": _explain,
             "ner": _ner}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    arguments = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    if not arguments:
        arguments = ["train"]  # the main job: `chainrule` alone trains on the spiral
    args = parser.parse_args(arguments)
    if args.command is None:
        args = parser.parse_args([*arguments, "train"])
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
        return 1


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
