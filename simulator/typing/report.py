"""HTML pages comparing recorded and generated typing (fit report, realism benchmark report).

Plots are matplotlib PNGs embedded as base64 so a page is one file: interval and hold
distributions, digraph-class medians, error/correction rates, recorded vs generated.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from simulator.report.page import fields, figure_png, img, say, table, write_page
from simulator.rng import rng_for
from simulator.typing.context import CLASSES, keystroke_context
from simulator.typing.params import PAUSE_THRESHOLD_SD
from simulator.typing.layout import get_layout
from simulator.typing.records import MODIFIERS, Keystrokes
from simulator.typing.synth import synth_typing
from simulator.typing.text import intended_text

REPORT_TEXTS = 300


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _pool(records: list[Keystrokes]):
    iki, hold, bk, n = [], [], 0, 0
    for r in records:
        o = np.argsort(r.press_ms, kind="stable")
        iki.append(np.diff(r.press_ms[o]))
        h = r.release_ms - r.press_ms
        hold.append(h[np.isfinite(h) & (h > 0)])
        bk += int(np.sum(r.key == "Backspace"))
        n += len(r)
    return np.concatenate(iki), np.concatenate(hold), bk / max(n, 1)


def class_medians(records: list[Keystrokes]) -> np.ndarray:
    """Median press-to-press interval per digraph class (modifiers left out, as the model sees it)."""
    lay = get_layout()
    keys, press, start = [], [], []
    for r in records:
        m = ~np.isin(r.key, list(MODIFIERS))
        if m.sum() < 2:
            continue
        keys.append(r.key[m])
        press.append(r.press_ms[m])
        s = np.zeros(m.sum(), bool)
        s[0] = True
        start.append(s)
    k, p, s = np.concatenate(keys), np.concatenate(press), np.concatenate(start)
    ctx = keystroke_context(k, s, lay)
    iki = np.diff(p, prepend=p[0])
    return np.array([np.median(iki[(ctx.cls == c) & ~s]) if np.any((ctx.cls == c) & ~s) else np.nan
                     for c in range(len(CLASSES))])


def comparison_plots(real: list[Keystrokes], gen: dict[str, list[Keystrokes]]) -> list[str]:
    """Figures (base64 PNG) of recorded vs generated typing; ``gen`` maps a label to generated records."""
    plt = _plt()
    ri, rh, rb = _pool(real)
    series = {"recorded": (ri, rh, rb)} | {k: _pool(v) for k, v in gen.items()}
    figs = []
    fig, ax = plt.subplots(1, 2, figsize=(11, 3.6))
    bins_i = np.logspace(np.log10(10), np.log10(5000), 60)
    bins_h = np.logspace(np.log10(10), np.log10(1000), 50)
    for name, (i, h, _) in series.items():
        ax[0].hist(np.clip(i, 10, 5000), bins=bins_i, density=True, histtype="step", label=name, lw=1.4)
        ax[1].hist(np.clip(h, 10, 1000), bins=bins_h, density=True, histtype="step", label=name, lw=1.4)
    for a, t in zip(ax, ("press-to-press interval (ms)", "hold (ms)")):
        a.set_xscale("log")
        a.set(xlabel=t, ylabel="density (per ms)")
        a.legend(fontsize=8)
    figs.append(figure_png(fig))
    fig, ax = plt.subplots(1, 2, figsize=(11, 3.6))
    w = 0.8 / len(series)
    meds = {"recorded": class_medians(real)} | {k: class_medians(v) for k, v in gen.items()}
    for j, (name, m) in enumerate(meds.items()):
        ax[0].bar(np.arange(len(CLASSES)) + j * w, m, width=w, label=name)
    ax[0].set_xticks(np.arange(len(CLASSES)) + 0.4 - w / 2, CLASSES, rotation=40, fontsize=8)
    ax[0].set_ylabel("median interval (ms)")
    ax[0].set_title("digraph-class medians")
    ax[0].legend(fontsize=8)
    names = list(series)
    ax[1].bar(names, [series[k][2] * 100 for k in names])
    ax[1].set_ylabel("Backspace, % of keystrokes")
    ax[1].set_title("corrections")
    ax[1].tick_params(axis="x", rotation=30)
    figs.append(figure_png(fig))
    return figs


def texts_of(records: list[Keystrokes]) -> list[str]:
    """What each recorded text was meant to say (see `intended_text`)."""
    lay = get_layout()
    return [intended_text(r, lay) for r in records]


def generate_like(profile, records: list[Keystrokes], seed: int = 0) -> tuple[list[Keystrokes], list[Keystrokes]]:
    """Generate the recorded texts again (as the same typist when the profile has them); returns (real, generated)."""
    texts = texts_of(records)
    keep = [i for i, s in enumerate(texts) if s]
    real = [records[i] for i in keep]
    users = [records[i].user if records[i].user in profile.user_params else None for i in keep]
    ev = synth_typing([texts[i] for i in keep], profile=profile, rng=rng_for(seed, "typing-report"), users=users)
    return real, [e.to_keystrokes() for e in ev]


def _drawn(fitted: int, drawn: int, typed: int) -> str:
    """Which of the fitted texts the plots hold (the heading's count differed from the data table's unsaid)."""
    some = f"{drawn} of the {fitted} texts fitted, drawn at random" if drawn < fitted else f"All {fitted} texts fitted"
    left = drawn - typed
    return some + (f"; {left} of them left out: they hold no character to type again (only keys such as Enter or "
                   f"arrows)." if left else ".")


STATS = {
    "typists": ("typists", "people whose texts were fitted"),
    "texts": ("texts", "texts typed"),
    "keystrokes": ("key presses", "in those texts"),
    "median_iki_ms": ("median press-to-press interval", "ms"),
    "median_hold_ms": ("median key hold", "ms, press to release"),
    "pause_share": ("pauses", f"share of press-to-press intervals over {PAUSE_THRESHOLD_SD:g} SD of the typist's "
                              "usual"),
    "backspace_share": ("Backspace", "share of key presses"),
    "mean_burst_length": ("Backspace run", "mean presses in a row"),
    "uncorrected_per_char": ("uncorrected errors", "per character of the texts"),
    "error_kind_counts": ("errors by kind", "counted where the intended text is known"),
    "error_kinds_from": ("error kinds from", "what the shares of error kinds were measured on"),
}
"""Each fitted statistic (``profile.stats``) in words, with its unit or meaning."""

EFFECTS = {
    **{f"c_{c}": f"{words} (vs alternating hands)" for c, words in (
        ("same_hand", "after a key of the same hand"), ("same_finger", "after a key of the same finger"),
        ("same_key", "the same key again"), ("to_space", "Space after a character"),
        ("from_space", "a character after Space"), ("into_bksp", "the first Backspace of a run"),
        ("bksp_bksp", "Backspace after Backspace"), ("from_bksp", "the key after a Backspace run"),
        ("other", "other pairs of keys"))},
    "b_row": "rows apart, same hand (per row)", "b_wordpos": "position in the word (log 1 + letters before)",
    "b_frequent": "inside a frequent word", "b_shifted": "a shifted or AltGr character", "b_nonletter":
    "a digit or punctuation", "b_first": "the text's second key (the slower start)", "b_first_word":
    "inside the text's first word", "b_last_word": "inside the text's last word", "b_post_pause": "right after a pause",
}
"""The population's effects on the log press-to-press interval, in words (``simulator.typing.context``)."""


def write_fit_report(profile, records: list[Keystrokes], out: Path) -> Path:
    rng = np.random.default_rng(0)
    pick = rng.choice(len(records), size=min(REPORT_TEXTS, len(records)), replace=False)
    real, gen = generate_like(profile, [records[i] for i in sorted(pick)])
    figs = comparison_plots(real, {"generated": gen})
    stats = [[*STATS.get(k, (k.replace("_", " "), "")), say(v)] for k, v in profile.stats.items()
             if k != "population_effects"]
    effects = [[EFFECTS.get(k, k), f"{v:+.3f}", f"x{np.exp(v):.2f}"]
               for k, v in profile.stats.get("population_effects", {}).items()]
    meta = [["keyboard layout", profile.layout]] + fields(profile.metadata)
    body = (f"<p>profile <b>{html.escape(profile.id)}</b>: the plots compare recorded texts with the same texts "
            "typed again by the profile, as the same typists where it keeps them: how well the fit reproduces its own "
            "data, not how it does on people it has not seen (benchmarks/typing_realism.py holds people out).</p>"
            f"<h2>profile</h2>{table(meta, ['field', 'value'])}<h2>data</h2>{table(stats, ['statistic', 'meaning', 'value'])}"
            "<h2>population effects on the press-to-press interval</h2>"
            + table(effects, ["where the key is", "on log interval", "interval times"])
            + f"<h2>recorded vs generated ({len(real)} texts)</h2><p>{_drawn(len(records), len(pick), len(real))}</p>"
            + "".join(img(f, "plot") for f in figs))
    return write_page(out, f"typing profile {profile.id}", body)
