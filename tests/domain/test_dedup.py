"""Sequence sets: exact membership, and memory that folds contiguous runs."""

from __future__ import annotations

import itertools
import random

from hypothesis import given
from hypothesis import strategies as st

from domain.dedup import SeenIndex, SeqSet


def test_contiguous_sequences_fold_into_one_interval() -> None:
    seqs = SeqSet()
    for seq in range(10_000):
        assert seqs.add(seq)
    assert seqs.intervals() == [(0, 9_999)]
    assert not seqs.add(5_000)


def test_out_of_order_arrival_merges() -> None:
    seqs = SeqSet()
    order = list(range(1, 501))
    random.Random(3).shuffle(order)
    for seq in order:
        seqs.add(seq)
    assert seqs.intervals() == [(1, 500)]
    assert len(seqs) == 500


@given(st.lists(st.integers(min_value=0, max_value=300), max_size=400))
def test_matches_a_plain_set(values: list[int]) -> None:
    seqs, reference = SeqSet(), set[int]()
    for value in values:
        assert seqs.add(value) == (value not in reference)
        reference.add(value)
    assert len(seqs) == len(reference)
    assert all(v in seqs for v in reference)
    assert all((v in seqs) == (v in reference) for v in range(-1, 302))
    intervals = seqs.intervals()
    assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(intervals))


def test_index_keeps_devices_apart() -> None:
    index = SeenIndex()
    assert index.add("a", 1)
    assert index.add("b", 1)
    assert not index.add("a", 1)
    assert ("a", 1) in index and ("a", 2) not in index
