// hcisim in-page capture: what the page actually received, with high-resolution
// timestamps and a descriptor of each target. Injected into every page and frame
// (Playwright add_init_script). Values typed into password or sensitive fields are
// never stored: only their length.
(() => {
  if (window.__hcisim) return;
  const KEY = "__hcisim_pending";
  const SENSITIVE_AUTOCOMPLETE = /^(current-password|new-password|one-time-code|cc-|credit-card)/;
  const extraSensitive = (window.__hcisimSensitive || []);
  const log = [];
  try {  // events captured on a page that navigated away before they were collected
    const pending = JSON.parse(sessionStorage.getItem(KEY) || "[]");
    sessionStorage.removeItem(KEY);
    for (const e of pending) log.push(e);
  } catch (e) { /* storage may be unavailable (opaque origins) */ }

  function cssPath(el) {
    if (!(el instanceof Element)) return null;
    const parts = [];
    while (el && el.nodeType === 1 && parts.length < 8) {
      if (el.id) { parts.unshift("#" + CSS.escape(el.id)); break; }
      let sel = el.localName;
      const parent = el.parentElement;
      if (parent) {
        const same = Array.from(parent.children).filter(c => c.localName === el.localName);
        if (same.length > 1) sel += `:nth-of-type(${same.indexOf(el) + 1})`;
      }
      parts.unshift(sel);
      el = parent;
    }
    return parts.join(" > ");
  }

  function isSensitive(el) {
    if (!(el instanceof Element)) return false;
    if (el.type === "password") return true;
    if (el.closest("[data-private]")) return true;
    const ac = (el.getAttribute("autocomplete") || "").trim();
    if (SENSITIVE_AUTOCOMPLETE.test(ac)) return true;
    return extraSensitive.some(sel => { try { return el.matches(sel); } catch (e) { return false; } });
  }

  function push(rec) {
    log.push(rec);
    if (window.__hcisimSink && log.length >= 64) flush();
  }

  function flush() {
    if (!window.__hcisimSink || !log.length) return;
    const batch = log.splice(0, log.length);
    window.__hcisimSink(batch);
  }

  const t = e => performance.timeOrigin + e.timeStamp;
  const opts = { capture: true, passive: true };
  for (const type of ["mousemove", "mousedown", "mouseup", "click", "dblclick", "contextmenu"]) {
    window.addEventListener(type, e => push({
      type, t: t(e), x: e.clientX, y: e.clientY, button: e.button, buttons: e.buttons,
      target: cssPath(e.target),
    }), opts);
  }
  window.addEventListener("wheel", e => push({
    type: "wheel", t: t(e), x: e.clientX, y: e.clientY, dx: e.deltaX, dy: e.deltaY, target: cssPath(e.target),
  }), opts);
  for (const type of ["keydown", "keyup"]) {
    window.addEventListener(type, e => {
      const secret = isSensitive(e.target) && e.key.length === 1;
      push({ type, t: t(e), key: secret ? "•" : e.key, code: secret ? null : e.code, target: cssPath(e.target) });
    }, opts);
  }
  for (const type of ["input", "change"]) {
    window.addEventListener(type, e => {
      const el = e.target;
      const secret = isSensitive(el);
      const value = el && "value" in el ? String(el.value) : (el && el.textContent) || "";
      push({ type, t: t(e), target: cssPath(el), value_len: value.length, value: secret ? null : value });
    }, opts);
  }
  window.addEventListener("focusin", e => push({ type: "focus", t: t(e), target: cssPath(e.target) }), opts);
  window.addEventListener("pagehide", () => {
    push({ type: "navigate_away", t: performance.timeOrigin + performance.now(), target: location.href });
    try { sessionStorage.setItem(KEY, JSON.stringify(log)); } catch (e) { /* ignore */ }
    flush();
  });

  window.__hcisim = {
    cssPath,
    isSensitive,
    drain() { return log.splice(0, log.length); },
    flush,
  };
})();
