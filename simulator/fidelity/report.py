"""The fidelity report: one HTML page, plots embedded, each figure with one sentence saying what it means."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from simulator.fidelity.evaluate import METRICS, FidelityResult, ModalityResult
from simulator.mouse.features import UNITS as MOUSE_UNITS
from simulator.report.page import figure, table, write_page
from simulator.typing.features import UNITS as TYPING_UNITS

UNITS = {"mouse": MOUSE_UNITS, "typing": TYPING_UNITS}
"""Each modality's features by what they are measured in."""


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _figure(img: str, meaning: str) -> str:
    return f"<figure>{img}<figcaption>{html.escape(meaning)}</figcaption></figure>"


def _roc(r: ModalityResult) -> str:
    from sklearn.metrics import roc_curve

    plt = _plt()
    fpr, tpr, _ = roc_curve(r.c2st.y, r.c2st.p)
    fig, ax = plt.subplots(figsize=(4.2, 4))
    ax.plot(fpr, tpr, lw=2, label=f"AUC {r.c2st.auc:.3f} [{r.c2st.ci_low:.3f}, {r.c2st.ci_high:.3f}]")
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="indistinguishable")
    ax.set(xlabel="false positive rate (REAL called SYNTH)", ylabel="true positive rate (SYNTH caught)",
           title=f"{r.modality}: REAL vs SYNTH discriminator")
    ax.legend(loc="lower right", fontsize=8)
    return _figure(figure(fig), "The discriminator's ROC curve: the closer it hugs the dashed diagonal, the less a "
                             "gradient-boosting detector can tell SYNTH from REAL (AUC 0.5 = indistinguishable, 1 = "
                             "always caught).")


def _worst(r: ModalityResult) -> str:
    plt = _plt()
    names = list(r.shown)
    if not names:
        return ""
    cols = 3
    rows = (len(names) + cols - 1) // cols
    fig, axs = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    ks = {d.name: d.ks for d in r.distances}
    for ax, name in zip(axs.flat, names):
        a, b = (v[np.isfinite(v)] for v in r.shown[name])
        both = np.r_[a, b]
        lo, hi = np.percentile(both, [0.5, 99.5]) if len(both) else (0, 1)
        bins = np.linspace(lo, hi if hi > lo else lo + 1, 40)
        ax.hist(np.clip(a, lo, hi), bins, density=True, alpha=0.5, label="REAL")
        ax.hist(np.clip(b, lo, hi), bins, density=True, histtype="step", lw=2, label="SYNTH")
        ax.set_title(f"{name} (KS {ks[name]:.2f})", fontsize=10)
        ax.set(xlabel=UNITS[r.modality][name], ylabel="density")
    for ax in list(axs.flat)[len(names):]:
        ax.axis("off")
    axs.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return _figure(figure(fig), "The features whose distributions differ most between REAL and SYNTH (largest KS "
                             "first): where the generator still gives itself away.")


def _prdc(r: ModalityResult) -> str:
    plt = _plt()
    d = r.diversity
    vals = [d.precision, d.density, d.recall, d.coverage]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.bar(["precision", "density", "recall", "coverage"], vals, color=["C0", "C0", "C1", "C1"])
    ax.axhline(1.0, color="k", lw=0.8, ls=":")
    for i, v in enumerate(vals):
        ax.text(i, v + 0.02, f"{v:.2f}", ha="center", fontsize=9)
    ax.set(ylim=(0, max(1.15, max(vals) + 0.15)), title=f"{r.modality}: diversity (k={d.k}, {d.n} items per side)",
           ylabel="share (density: ratio), 1 = as REAL")
    return _figure(figure(fig), "Blue: how much of SYNTH lies where REAL does (faithfulness); orange: how much of REAL "
                             "SYNTH reaches (diversity) — a generator of one average person keeps blue high while "
                             "orange falls.")


def _dcr(r: ModalityResult) -> str:
    p = r.privacy
    if p is None:
        return ""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.4))
    both = np.r_[p.dcr_synth, p.dcr_real]
    hi = np.percentile(both, 99) if len(both) else 1
    bins = np.linspace(0, hi if hi > 0 else 1, 50)
    ax.hist(np.clip(p.dcr_real, 0, hi), bins, density=True, alpha=0.5, label="REAL held-out → fitting")
    ax.hist(np.clip(p.dcr_synth, 0, hi), bins, density=True, histtype="step", lw=2, label="SYNTH → fitting")
    ax.axvline(p.p1, color="k", ls="--", lw=1, label="REAL's 1st percentile")
    ax.set(xlabel="distance to the closest fitting record (record-vector units)", ylabel="density",
           title=f"{r.modality}: distance to closest record")
    ax.legend(fontsize=8)
    return _figure(figure(fig), "Distance from each item to its closest record in the fitting data: SYNTH should sit "
                             "where REAL held-out data sits, not to its left; anything left of the dashed line is "
                             "closer to a recorded item than almost all real data is (a near copy).")


def _reid(r: ModalityResult) -> str:
    p = r.privacy
    if p is None or p.reid is None:
        return ""
    plt = _plt()
    rid = p.reid
    people = sorted(rid.attribution, key=lambda k: -rid.attribution[k])
    total = max(sum(rid.attribution.values()), 1)
    fig, ax = plt.subplots(figsize=(max(5, 0.25 * len(people) + 2), 3.2))
    ax.bar(range(len(people)), [rid.attribution[k] / total for k in people])
    ax.axhline(rid.chance, color="k", ls="--", lw=1, label="chance (1 / people)")
    ax.axhline(2 * rid.chance, color="r", ls=":", lw=1, label="2 × chance")
    if np.isfinite(rid.max_share_over_chance_null):
        ax.axhline(rid.max_share_over_chance_null * rid.chance, color="0.5", ls="-.", lw=1,
                   label="largest share by chance alone (95 %)")
    ax.set_xticks(range(len(people)), people, rotation=90, fontsize=7)
    ax.set(ylabel="share of SYNTH sessions", title=f"{r.modality}: whom SYNTH is attributed to ({rid.mode} people)")
    ax.legend(fontsize=8)
    meaning = ("Which recorded person a user-identification model trained on the fitting data names for each SYNTH "
               "session: for new people the bars should stay near the dashed chance line, with no person drawing "
               "much more than that (with few sessions the largest bar of a perfectly even attribution still "
               "rises to the dash-dotted line); for `--people same` output, each person should draw their own sessions.")
    return _figure(figure(fig), meaning)


def _utility(r: ModalityResult) -> str:
    u = r.utility
    if u is None:
        return ""
    plt = _plt()
    labels, vals = ["train SYNTH\ntest REAL"], [u.tstr_session]
    if u.trtr_session is not None:
        labels.append(f"train real\n({u.trtr_trained_on})")
        vals.append(u.trtr_session)
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.bar(labels, vals, color=["C1", "C0"][:len(vals)])
    ax.axhline(u.chance, color="k", ls="--", lw=1, label="chance")
    ax.set(ylim=(0, 1.3), yticks=np.linspace(0, 1, 6), ylabel="session top-1 accuracy",
           title=f"{r.modality}: {u.task} ({u.people} people)")
    ax.legend(fontsize=8, loc="upper right")  # above the bars: at accuracy 1 the legend hid a bar's top
    return _figure(figure(fig), "Accuracy on REAL sessions of a user-identification model trained on SYNTH against one "
                             "trained on real recordings: equal bars mean SYNTH can stand in for real training data.")


def _section(r: ModalityResult) -> str:
    m = r.metrics()
    rows = [[k, m[k], METRICS[k]] for k in METRICS if k in m]
    dist = table([[d.name, d.ks, d.wasserstein_sd, d.real_median, d.synth_median, UNITS[r.modality][d.name]]
                  for d in r.distances], ["feature", "KS", "Wasserstein (REAL sd)", "REAL median", "SYNTH median",
                                          "unit of the medians"])
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in r.notes)
    return (f"<h2>{r.modality}: {r.n_real} REAL items ({r.people_real} people), {r.n_synth} SYNTH items "
            f"({r.people_synth} people)</h2>" + (f"<ul>{notes}</ul>" if notes else "")
            + table(rows, [f"{r.modality}.measure", "value", "meaning"])
            + "<h3>Fidelity</h3>" + _roc(r) + _worst(r)
            + "<h3>Diversity</h3>" + _prdc(r)
            + ("<h3>Utility</h3>" + _utility(r) if r.utility else "")
            + ("<h3>Privacy</h3>" + _dcr(r) + _reid(r) if r.privacy else "")
            + "<details><summary>every feature, worst first</summary>" + dist + "</details>")


def write_report(result: FidelityResult, out_html: Path) -> Path:
    """Write the report atomically; returns its path."""
    head = table([["REAL", result.real], ["SYNTH", result.synth], ["fitting data", result.fitting or "–"],
                   ["seed", result.seed]], None)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    body = (head + (f"<ul>{notes}</ul>" if notes else "")
            + "<p>Fidelity: can SYNTH be told from REAL? Diversity: does SYNTH cover all of REAL? Utility: does a "
              "model trained on SYNTH work on REAL? Privacy: does SYNTH give away the recordings it was fitted "
              "on? See docs/fidelity.md for how to read each number.</p>"
            + "".join(_section(r) for r in result.modalities.values()))
    return write_page(Path(out_html), "hcisim fidelity report", body)
