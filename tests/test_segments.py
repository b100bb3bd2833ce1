"""Ragged reductions agree with numpy's per-segment ones, including empty segments and NaN."""

from __future__ import annotations

import numpy as np

from simulator.segments import csr_offsets, mean_std, median, percentiles, seg_max


def _batch(rng: np.random.Generator):
    counts = rng.integers(0, 40, 300)
    counts[:3] = (0, 1, 2)
    vals = rng.lognormal(0, 1, counts.sum()).round(1)   # rounding makes ties
    off = csr_offsets(counts)
    vals[off[10] + 1] = np.nan                           # one segment holds a NaN
    return vals, off, counts


def _each(vals, off, fn, empty):
    return np.array([fn(vals[a:b]) if b > a else empty for a, b in zip(off[:-1], off[1:])])


def test_percentiles_and_median_match_numpy():
    vals, off, _ = _batch(np.random.default_rng(0))
    pcts = (0, 5, 25, 50, 62.5, 95, 100)
    want = _each(vals, off, lambda v: np.percentile(v, pcts), np.full(len(pcts), np.nan))
    np.testing.assert_allclose(percentiles(vals, off, pcts), want, rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(median(vals, off), _each(vals, off, np.median, np.nan))


def test_mean_std_and_max_match_numpy():
    vals, off, counts = _batch(np.random.default_rng(1))
    seg = np.repeat(np.arange(len(counts)), counts)
    mean, std = mean_std(vals, seg, counts)
    np.testing.assert_allclose(mean, _each(vals, off, np.mean, np.nan), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(std, _each(vals, off, np.std, np.nan), rtol=1e-9, equal_nan=True)
    np.testing.assert_array_equal(seg_max(vals, off), _each(vals, off, np.max, np.nan))
