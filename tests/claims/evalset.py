"""The labelled evaluation sets: articles, their labelled claims, and the scoring shared by tests and the bench.

The project's own set: each labels/*.json names an article (in articles/, or `shared:` for ../shared, which is never
copied into the project) and lists its claims: the quote, its span in the reader's plain text (start, end), the claim
type, the expected verdict for a warehouse built from the reference pack alone, and the truth (true, false or
unknown).

The development set (`load_dev`): real published articles in ../shared/eval, labelled by others with the verdicts a
scorer should accept (`accept`), read from there and never copied into the project.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from silkscope.claims import read_file

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels"
SHARED = HERE.parents[2] / "shared"
DEV = SHARED / "eval"


@dataclass
class Article:
    name: str
    path: Path
    labels: list[dict[str, Any]]
    label_file: Path


def article_path(ref: str) -> Path:
    return SHARED / ref.removeprefix("shared:") if ref.startswith("shared:") else HERE / ref


def load(include_shared: bool = True) -> list[Article]:
    out = []
    for f in sorted(LABELS.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        path = article_path(data["article"])
        if data["article"].startswith("shared:") and (not include_shared or not path.exists()):
            continue
        out.append(Article(f.stem, path, data["claims"], f))
    return out


def locate(text: str, label: dict[str, Any]) -> tuple[int, int]:
    """The span of the label's quote (its n-th occurrence) in the plain text."""
    start = -1
    for _ in range(label.get("occurrence", 0) + 1):
        start = text.find(label["quote"], start + 1)
        if start < 0:
            raise ValueError(f"quote not found: {label['quote']!r}")
    return start, start + len(label["quote"])


def fill_spans(article: Article) -> None:
    """Write start/end into the label file (run after editing quotes: python tests/claims/evalset.py)."""
    text = read_file(article.path).text
    data = json.loads(article.label_file.read_text(encoding="utf-8"))
    for label in data["claims"]:
        label["start"], label["end"] = locate(text, label)
    lines = ["{"]
    lines += [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in data.items() if k != "claims"]
    lines.append('  "claims": [')
    lines.append(",\n".join("    " + json.dumps(c, ensure_ascii=False) for c in data["claims"]))
    lines += ["  ]", "}"]
    article.label_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class Score:
    """Extraction precision/recall (span overlap) and verdict accuracy per claim type."""

    matched: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (label, predicted claim)
    missed: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)

    def add(self, labels: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> None:
        free = list(predicted)
        for label in labels:
            best = max(free, key=lambda p: _overlap(label, p), default=None)
            if best is not None and _overlap(label, best) > 0:
                self.matched.append((label, best))
                free.remove(best)
            else:
                self.missed.append(label)
        self.spurious += free

    def recall(self, checkable_only: bool = True) -> float:
        ok = [lb for lb, _ in self.matched if not checkable_only or lb["type"] != "opinion"]
        miss = [lb for lb in self.missed if not checkable_only or lb["type"] != "opinion"]
        return len(ok) / max(1, len(ok) + len(miss))

    def precision(self) -> float:
        return len(self.matched) / max(1, len(self.matched) + len(self.spurious))

    def accuracy(self, claim_type: str | None = None) -> tuple[int, int]:
        pairs = [(lb, p) for lb, p in self.matched if claim_type in (None, lb["type"])]
        return sum(right(lb, p) for lb, p in pairs), len(pairs)

    def false_supported(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """`supported` for a claim labelled false (own set), or where the labels do not accept it (development set)."""
        return [(lb, p) for lb, p in self.matched if p["verdict"] == "supported" and _refused(lb, "supported")]

    def false_contradicted(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """`contradicted` for a claim labelled true, or where the labels do not accept it (development set)."""
        return [(lb, p) for lb, p in self.matched if p["verdict"] == "contradicted" and _refused(lb, "contradicted")]

    def decided_accuracy(self, strict: bool = False) -> tuple[int, int]:
        """Verdict accuracy where the gold verdict is supported, contradicted or imprecise; `strict` counts a claim
        the checker did not find as wrong."""
        decided = {"supported", "contradicted", "imprecise"}
        pairs = [(lb, p) for lb, p in self.matched if lb["verdict"] in decided]
        missed = [lb for lb in self.missed if lb["verdict"] in decided] if strict else []
        return sum(right(lb, p) for lb, p in pairs), len(pairs) + len(missed)

    def type_accuracy(self) -> tuple[int, int]:
        return sum(lb["type"] == p["type"] for lb, p in self.matched), len(self.matched)


def right(label: dict[str, Any], pred: dict[str, Any]) -> bool:
    return pred["verdict"] in label.get("accept", [label["verdict"]])


def _refused(label: dict[str, Any], verdict: str) -> bool:
    if "accept" in label:
        return verdict not in label["accept"]
    return label["truth"] == ("false" if verdict == "supported" else "true") and label["verdict"] != verdict


# --- the development set: real published articles in ../shared/eval --------------------------------------------


def load_dev() -> list[Article]:
    """The development set, with each label's span located in the reader's plain text (the reader may drop markup,
    so the file offsets are a hint: the occurrence of the quote nearest to them is taken)."""
    index = DEV / "labels.json"
    if not index.exists():
        return []
    data = json.loads(index.read_text(encoding="utf-8"))
    out = []
    for name, labels in sorted(data.items()):
        path = DEV / "articles" / name
        text = read_file(path).text
        rows = []
        for lb in labels:
            start = _nearest(text, lb["text"], lb["start"])
            gold = "not_checkable" if lb["gold"] == "opinion" else lb["gold"]
            accept = [v for v in lb["accept"] if v != "__absent__"]
            rows.append(
                {
                    **lb,
                    "quote": lb["text"],
                    "start": start,
                    "end": start + len(lb["text"]),
                    "verdict": gold,
                    "accept": accept,
                    "optional": "__absent__" in lb["accept"],
                }
            )
        out.append(Article(name.removesuffix(".txt"), path, rows, index))
    return out


def _nearest(text: str, quote: str, hint: int) -> int:
    found, i = [], text.find(quote)
    while i >= 0:
        found.append(i)
        i = text.find(quote, i + 1)
    if not found:
        raise ValueError(f"quote not found in the reader's text: {quote[:60]!r}")
    return min(found, key=lambda i: abs(i - hint))


def _overlap(label: dict[str, Any], pred: dict[str, Any]) -> int:
    return max(0, min(label["end"], pred["end"]) - max(label["start"], pred["start"]))


if __name__ == "__main__":
    for art in load():
        fill_spans(art)
        print(f"{art.name}: {len(art.labels)} labels, spans filled")
