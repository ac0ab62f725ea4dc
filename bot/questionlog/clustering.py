"""Group similar questions so curators review one group instead of many near-duplicates.

Pure: `cluster(texts, threshold=...) -> list[list[int]]`, no I/O.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from rapidfuzz import fuzz, process

# token_sort_ratio ignores word order but, unlike token_set_ratio, does not call a short
# question a match of every longer one that contains its words.
DEFAULT_THRESHOLD = 78.0


def cluster(texts: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Indices of `texts` grouped by similarity, the largest group first.

    Greedy: distinct texts are visited most frequent first; each joins the group whose
    representative it resembles most (at least `threshold`), or starts a new group.
    Ties keep input order, so callers pass the newest text first to show it first.
    """
    positions: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        positions.setdefault(" ".join(text.lower().split()), []).append(i)
    counts = Counter({key: len(idx) for key, idx in positions.items()})
    order = sorted(positions, key=lambda key: -counts[key])  # stable: input order breaks ties

    representatives: list[str] = []
    groups: list[list[int]] = []
    for key in order:
        best = None
        if key and representatives:
            best = process.extractOne(key, representatives, scorer=fuzz.token_sort_ratio,
                                      score_cutoff=threshold)
        if best is None:
            representatives.append(key)
            groups.append(list(positions[key]))
        else:
            groups[best[2]].extend(positions[key])
    for group in groups:
        group.sort()
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups
