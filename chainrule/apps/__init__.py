"""The applications built on chainrule, apart from the library.

- `cli`: the `chainrule` command (train, evaluate, predict, explain, ner);
- `training/`: `chainrule train`, an MLP (or LeNet-5) classifier with checkpoints and a
  report;
- `ner/`: `chainrule ner`, the window named-entity tagger on CoNLL files;
- `charlm/`: `chainrule charlm`, a character-level LSTM language model, trained and sampled;
- `models/`: the notes' MLP and window classifier, and LeNet-5;
- `report.py`: the training report's plots (matplotlib);
- `expression.py`: expressions typed on the command line, for `chainrule explain`.

They use chainrule as any program would, through its public API. The library never imports
this package, so `import chainrule` loads none of the applications' dependencies (tqdm,
matplotlib, seqeval).
"""
