"""`chainrule charlm`: a character-level LSTM language model, trained on a text file with
truncated BPTT and sampled (the example of the recurrent layers)."""

from .model import CharLM, sample
from .run import CharLMConfig, load_charlm, sample_text, train_charlm
from .text import Alphabet, StreamBatches, default_corpus, read_corpus

__all__ = ["CharLM", "sample", "CharLMConfig", "train_charlm", "load_charlm", "sample_text",
           "Alphabet", "StreamBatches", "default_corpus", "read_corpus"]
