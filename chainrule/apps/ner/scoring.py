"""Entity-level scores, as the CoNLL-2003 shared task counted them: an entity is right only if
its type and both its boundaries are right. The counting is seqeval's (the field's usual
conlleval re-implementation); this module only feeds it and shapes its answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["EntityScores", "score_entities"]


@dataclass
class EntityScores:
    precision: float
    recall: float
    f1: float
    per_type: dict[str, dict[str, float]]

    def table(self) -> str:
        lines = [f"{'type':<8}{'precision':>10}{'recall':>10}{'F1':>10}{'entities':>10}"]
        for name, values in sorted(self.per_type.items()):
            lines.append(f"{name:<8}{100 * values['precision']:>10.2f}"
                         f"{100 * values['recall']:>10.2f}{100 * values['f1']:>10.2f}"
                         f"{int(values['support']):>10d}")
        lines.append(f"{'overall':<8}{100 * self.precision:>10.2f}{100 * self.recall:>10.2f}"
                     f"{100 * self.f1:>10.2f}")
        return "\n".join(lines)


def score_entities(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]
                   ) -> EntityScores:
    """Precision, recall and F1 over entities, overall (micro) and per type."""
    try:
        from seqeval.metrics import classification_report
    except ImportError:  # pragma: no cover - seqeval is a dependency
        raise RuntimeError("entity scoring needs seqeval: pip install seqeval") from None
    if len(gold) != len(predicted) or any(len(g) != len(p) for g, p in zip(gold, predicted)):
        raise ValueError("gold and predicted tags must have the same sentences and lengths")
    report = classification_report([list(s) for s in gold], [list(s) for s in predicted],
                                   output_dict=True, zero_division=0)
    overall = report["micro avg"]
    per_type = {name: {"precision": float(v["precision"]), "recall": float(v["recall"]),
                       "f1": float(v["f1-score"]), "support": float(v["support"])}
                for name, v in report.items() if not name.endswith("avg")}
    return EntityScores(float(overall["precision"]), float(overall["recall"]),
                        float(overall["f1-score"]), per_type)
