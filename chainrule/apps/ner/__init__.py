"""The window-based named-entity recogniser of the CS224n notes, as a usable tagger."""

from .features import CAPS_CLASSES, Vocabulary, caps_class, normalise, windows
from .scoring import EntityScores, score_entities

__all__ = ["Vocabulary", "normalise", "caps_class", "CAPS_CLASSES", "windows",
           "score_entities", "EntityScores"]
