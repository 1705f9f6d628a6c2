"""Raw text to tokens as CoNLL-2003 has them (the Penn Treebank's conventions), so the tagger
sees words cut as in the data it learned from:

- clitics are their own tokens: "Germany's" → Germany 's, "doesn't" → does n't,
  "can't" → ca n't, "they're" → they 're, "players'" → players ';
- abbreviations and initials keep their period: Inc. Corp. Dr. Mr. St. vs. Jan. U.S. M.;
  any other final period, and , ; : ! ? ( ) [ ] " ... are tokens of their own;
- numbers keep their commas and points (47,600, 3.5), words their hyphens and inner
  apostrophes (EU-wide, O'Neill, o'clock); "$5" → $ 5, "5%" → 5 %, "US$5" → US$ 5.

>>> tokenize("Dr. Smith of Acme Inc. said Germany's exports don't rise.")
['Dr.', 'Smith', 'of', 'Acme', 'Inc.', 'said', 'Germany', "'s", 'exports', 'do', "n't", 'rise', '.']
"""

from __future__ import annotations

import re

__all__ = ["tokenize", "ABBREVIATIONS"]

#: Words CoNLL-2003 writes with their period (the rest of the period-final tokens there are
#: initials and numbered items, which the patterns below keep too).
ABBREVIATIONS = frozenset("""
    inc corp co ltd plc bhd llc cos dr mr mrs ms messrs prof st jr sr gen gov sen rep lt col
    capt sgt maj cmdr adm rev fr vs v no nos jan feb mar apr jun jul aug sep sept oct nov
    dec mon tue tues wed thu thur thurs fri sat sun ft mt ave blvd rd est approx dept fig
    ca calif colo conn fla ga ill ind kan ky la mass md mich minn miss mo mont neb nev okla
    ore pa tenn tex va vt wash wis wyo ariz ark del
""".split())

_CLITIC = re.compile(r"^(.+?)('s|'S|'re|'RE|'m|'M|'ve|'VE|'ll|'LL|'d|'D)$")
_NOT = re.compile(r"^(.+?)(n't|N'T)$")
_INITIALS = re.compile(r"^(?:[A-Za-z]\.)+$")          # U.S.  U.N.  M.
_NUMBERED = re.compile(r"^\d{1,2}\.$")               # 1.  10.  (list items)
_LEADING = "([{\"'`$"
_TRAILING = ")]}\",;:!?%'"


def _split_word(word: str, last: bool) -> list[str]:
    """One whitespace-separated chunk, cut into tokens."""
    before: list[str] = []
    after: list[str] = []
    while word and word[0] in _LEADING and not _is_clitic(word):
        if word.startswith("US$") or word[0] == "$":
            cut = 3 if word.startswith("US$") else 1
            before.append(word[:cut])
            word = word[cut:]
            continue
        before.append(word[0])
        word = word[1:]
    if word.startswith("US$") and len(word) > 3:
        before.append("US$")
        word = word[3:]
    while word:
        if word.endswith("..."):
            after.insert(0, "...")
            word = word[:-3]
        elif word[-1] in _TRAILING and not (word[-1] == "'" and _is_clitic(word)):
            after.insert(0, word[-1])
            word = word[:-1]
        elif word.endswith(".") and not _keeps_period(word, last and not after):
            after.insert(0, ".")
            word = word[:-1]
        else:
            break
    middle: list[str] = []
    if word:
        for pattern in (_NOT, _CLITIC):
            match = pattern.match(word)
            if match and match.group(1):
                middle = [match.group(1), match.group(2)]
                break
        else:
            middle = [word]
    return before + middle + after


def _is_clitic(word: str) -> bool:
    return word.lower() in ("'s", "'re", "'m", "'ve", "'ll", "'d", "n't")


def _keeps_period(word: str, sentence_end: bool) -> bool:
    """Whether a word's final period is part of it (Inc., U.S., 1.) rather than a token."""
    stem = word[:-1]
    if stem.lower() in ABBREVIATIONS or _INITIALS.match(word):
        return True
    return bool(_NUMBERED.match(word)) and not sentence_end


def tokenize(line: str) -> list[str]:
    """Splits a line of raw text into tokens the way CoNLL-2003 does."""
    chunks = line.split()
    tokens: list[str] = []
    for position, chunk in enumerate(chunks):
        tokens.extend(piece for piece in _split_word(chunk, position == len(chunks) - 1)
                      if piece)
    return tokens
