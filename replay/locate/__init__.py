"""Find a recorded element again on a changed page (``hcisim locate``, and replay at every step).

The public API:

- :func:`locate` -- many targets against many candidates, page by page, one answer per target
  (the candidate's id or None, and a calibrated score in [0, 1]); what ``hcisim locate`` runs.
- :func:`best_match` -- one recorded descriptor against a live page's elements (the replayer).
- :func:`descriptor_of_action` -- the recorded target of a dataset's action row.
- :data:`CANDIDATES_JS` -- collects every visible element of a live page as descriptors.

Modules: ``descriptor`` (the schema, tolerant reading), ``similarity`` (pairwise evidence as
arrays), ``match`` (weights, assignment, calibration), ``io`` (the CLI's files), ``points``
(per-handle points for compare), ``tree`` (pages as trees: snapshot in, descriptors out), ``changes``
(the changes a new build makes), ``synthetic`` (generated pages) and ``fit`` (learning the weights from
generated changes; shipped in ``weights.json``).
"""

from __future__ import annotations

from replay.locate.descriptor import canonical, descriptor_of_action, normalize
from replay.locate.match import Located, Match, Model, best_match, load_model, locate
from replay.locate.points import score

THRESHOLD = load_model().threshold
LATE_ELEMENT_MS = 1000.0
"""How long a live step's element may take to appear under its recorded test id or id before another element
is taken for it (replay and exported scripts alike): one shown late (a panel's "Save") may share its name with
one already on the page. A step the person paused before gets that pause more (`patience_ms`)."""
LATE_ELEMENT_MAX_MS = 10_000.0


def patience_ms(paused_ms: float) -> float:
    """How long a step's element is waited for under its recorded handle: LATE_ELEMENT_MS plus the pause the
    person made before the step (an element the app showed late, they had to wait for: a panel 2.5 s in coming
    was still taken for the page's other element of its name after a second), at most LATE_ELEMENT_MAX_MS."""
    paused = paused_ms if paused_ms == paused_ms else 0.0  # NaN: no pause known
    return float(min(LATE_ELEMENT_MS + max(paused, 0.0), LATE_ELEMENT_MAX_MS))

# Every visible element of the page, in document order: the candidates a recorded target is matched against.
CANDIDATES_JS = """() => {
  const out = [];
  for (const el of document.body ? document.body.querySelectorAll("*") : []) {
    if (["script", "style", "noscript", "template", "br"].includes(el.localName)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || st.display === "none") continue;
    out.push(el);
  }
  return window.__hcisim.describeAll(out);
}"""

__all__ = ["CANDIDATES_JS", "THRESHOLD", "Located", "Match", "Model", "best_match", "canonical",
           "descriptor_of_action", "load_model", "locate", "normalize", "score"]
