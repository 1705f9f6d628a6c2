"""The `chainrule charlm` subcommands: their options and what each does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_charlm_commands", "run_charlm"]


def add_charlm_commands(commands: Any, parser_class: type, positive_int: Any) -> None:
    from .run import CharLMConfig

    defaults = CharLMConfig()
    charlm = commands.add_parser("charlm", help="a character-level LSTM language model: "
                                 "train on a text, then sample")
    actions = charlm.add_subparsers(dest="charlm_command", parser_class=parser_class,
                                    metavar="ACTION")
    train = actions.add_parser("train", help="train on a text file (by default the words of "
                               "CoNLL-2003's train.txt, one sentence per line)")
    train.add_argument("--corpus", help="a UTF-8 text file, or a CoNLL column file (read as "
                       "its words); default: conll2003/train.txt under $CHAINRULE_DATA or "
                       "../shared/data beside the repository")
    train.add_argument("--max-chars", type=positive_int, help="train on the first N "
                       "characters only (default: all)")
    train.add_argument("--out", default=defaults.out, help="output folder")
    train.add_argument("--epochs", type=positive_int, default=defaults.epochs,
                       help="passes over the text")
    train.add_argument("--hidden", type=positive_int, default=defaults.hidden,
                       help="LSTM units per layer")
    train.add_argument("--layers", type=positive_int, default=defaults.layers,
                       help="stacked LSTM layers")
    train.add_argument("--embed", type=positive_int, default=defaults.embed,
                       help="size of the character vectors")
    train.add_argument("--dropout", type=float, default=defaults.dropout,
                       help="dropout between layers and before the output layer")
    train.add_argument("--seq-len", type=positive_int, default=defaults.seq_len,
                       help="characters per truncated-BPTT batch")
    train.add_argument("--batch-size", type=positive_int, default=defaults.batch_size,
                       help="parallel streams of text")
    train.add_argument("--lr", type=float, default=defaults.lr, help="Adam's learning rate")
    train.add_argument("--clip", type=float, default=defaults.clip,
                       help="gradient norm limit (0: no clipping)")
    train.add_argument("--val-fraction", type=float, default=defaults.val_fraction,
                       help="share of the text, at its end, held out for validation")
    train.add_argument("--seed", type=int, default=defaults.seed,
                       help="seed of every random draw (weights, dropout, samples)")
    train.add_argument("--resume", action="store_true", help="continue the run in --out "
                       "from its last finished epoch (--epochs may extend it)")
    train.add_argument("--no-progress", action="store_true", help="no progress display (a "
                       "bar on a terminal, otherwise a line every 30 s of an epoch)")
    sample = actions.add_parser("sample", help="text sampled from a trained model")
    sample.add_argument("--model", required=True, help="a run folder or its "
                        "charlm.safetensors")
    sample.add_argument("--length", type=int, default=200, help="characters to sample")
    sample.add_argument("--temperature", type=float, default=0.8,
                        help="below 1: safer choices; above 1: more surprising ones")
    sample.add_argument("--prime", default="", help="text to continue (default: the start "
                        "of a line)")
    sample.add_argument("--seed", type=int, help="seed of the draws (default: a new sample "
                        "each time)")


def run_charlm(args: argparse.Namespace) -> int:
    if args.charlm_command == "sample":
        from .run import sample_text

        text = sample_text(args.model, args.length, args.temperature, args.prime, args.seed)
        print(args.prime + text)
        return 0
    return _train(args)


def _train(args: argparse.Namespace) -> int:
    from ..training.loop import Interrupted
    from .run import MODEL_NAME, CharLMConfig, train_charlm

    config = CharLMConfig(corpus=args.corpus, out=args.out, max_chars=args.max_chars,
                          val_fraction=args.val_fraction, embed=args.embed, hidden=args.hidden,
                          layers=args.layers, dropout=args.dropout, seq_len=args.seq_len,
                          batch_size=args.batch_size, lr=args.lr, clip=args.clip,
                          epochs=args.epochs, seed=args.seed, progress=not args.no_progress)
    try:
        summary = train_charlm(config, resume=args.resume)
    except Interrupted as stop:
        print(f"\nchainrule: {stop}; continue with: chainrule charlm train --resume --out "
              f"{stop.out}", file=sys.stderr)
        return 130
    out = Path(args.out)
    print(f"done: validation loss {summary['valid_loss']:.4f} nats per character; "
          f"{summary['seconds']:.1f}s")
    print(f"wrote {out / MODEL_NAME}, {out / 'metrics.json'}, {out / 'curves.png'}, "
          f"{out / 'samples.txt'}; sample with: chainrule charlm sample --model {out}")
    return 0
