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

  const IMPLICIT = { button: "button", a: "link", select: "combobox", textarea: "textbox", option: "option",
                     ul: "list", li: "listitem", h1: "heading", h2: "heading", h3: "heading", dialog: "dialog" };
  const NAMED_BY_CONTENT = ["button", "link", "option", "tab", "menuitem", "heading", "listitem", "checkbox", "radio"];

  function roleOf(el) {
    const explicit = el.getAttribute("role");
    if (explicit) return explicit;
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (el.localName === "input") {
      return { checkbox: "checkbox", radio: "radio", button: "button", submit: "button", range: "slider",
               search: "searchbox" }[type] || "textbox";
    }
    return IMPLICIT[el.localName] || null;
  }

  function labelOf(el) {
    if (el.labels && el.labels.length) return el.labels[0].textContent.trim();
    const wrap = el.closest("label");
    return wrap ? wrap.textContent.trim() : null;
  }

  function nameOf(el, role) {
    let name = el.getAttribute("aria-label");
    if (!name && el.getAttribute("aria-labelledby")) {
      name = el.getAttribute("aria-labelledby").split(/\s+/).map(id => document.getElementById(id))
        .filter(Boolean).map(n => n.textContent.trim()).join(" ");
    }
    if (!name) name = labelOf(el);
    if (!name && NAMED_BY_CONTENT.includes(role)) name = (el.textContent || "").trim();
    return name || el.getAttribute("placeholder") || el.getAttribute("title") || null;
  }

  // A descriptor robust to change: several independent ways to find the element again.
  function describe(el) {
    if (!(el instanceof Element)) return null;
    const role = roleOf(el);
    const r = el.getBoundingClientRect();
    const secret = isSensitive(el);
    return {
      role, name: nameOf(el, role), label: labelOf(el), id: el.id || null,
      testid: el.getAttribute("data-testid"), css: cssPath(el), tag: el.localName,
      type: el.getAttribute("type"), text: secret ? null : ((el.innerText || "").trim().slice(0, 120) || null),
      box: [r.left, r.top, r.width, r.height], sensitive: secret,
    };
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
  window.addEventListener("mousemove", e => push({
    type: "mousemove", t: t(e), x: e.clientX, y: e.clientY, buttons: e.buttons, target: cssPath(e.target),
  }), opts);
  // A press on the <b> inside a button is a press on the button: describe what a person aimed at.
  const INTERACTIVE = "button, a, input, select, textarea, label, [role], [data-testid], [contenteditable=true]";
  const aimed = el => (el instanceof Element && el.closest(INTERACTIVE)) || el;
  for (const type of ["mousedown", "mouseup", "click", "dblclick", "contextmenu"]) {
    window.addEventListener(type, e => push({
      type, t: t(e), x: e.clientX, y: e.clientY, button: e.button, buttons: e.buttons,
      target: cssPath(e.target), desc: describe(aimed(e.target)),
    }), opts);
  }
  window.addEventListener("wheel", e => push({
    type: "wheel", t: t(e), x: e.clientX, y: e.clientY, dx: e.deltaX, dy: e.deltaY, target: cssPath(e.target),
  }), opts);
  for (const type of ["keydown", "keyup"]) {
    window.addEventListener(type, e => {
      const secret = isSensitive(e.target) && e.key.length === 1;
      push({ type, t: t(e), key: secret ? "•" : e.key, code: secret ? null : e.code, target: cssPath(e.target),
             desc: type === "keydown" ? describe(e.target) : undefined });
    }, opts);
  }
  for (const type of ["input", "change"]) {
    window.addEventListener(type, e => {
      const el = e.target;
      const secret = isSensitive(el);
      const value = el && "value" in el ? String(el.value) : (el && el.textContent) || "";
      push({ type, t: t(e), target: cssPath(el), value_len: value.length, value: secret ? null : value,
             desc: describe(el) });
    }, opts);
  }
  window.addEventListener("focusin", e => push({ type: "focus", t: t(e), target: cssPath(e.target),
                                                 desc: describe(e.target) }), opts);
  window.addEventListener("pagehide", () => {
    push({ type: "navigate_away", t: performance.timeOrigin + performance.now(), target: location.href });
    try { sessionStorage.setItem(KEY, JSON.stringify(log)); } catch (e) { /* ignore */ }
    flush();
  });

  window.__hcisim = {
    cssPath,
    isSensitive,
    describe,
    roleOf,
    nameOf,
    drain() { return log.splice(0, log.length); },
    flush,
  };
})();
