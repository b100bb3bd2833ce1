// hcisim in-page capture: what the page actually received, with high-resolution
// timestamps and a descriptor of each target. Injected into every page and frame
// (Playwright add_init_script). Values typed into password or sensitive fields are
// never stored: only their length.
(() => {
  if (window.__hcisim) return;
  const KEY = "__hcisim_pending";
  // autocomplete is a list of tokens ("section-a billing cc-number"), matched case-insensitively (HTML)
  const SENSITIVE_AUTOCOMPLETE = /^(current-password|new-password|one-time-code|cc-.*|credit-card.*)$/i;
  const extraSensitive = (window.__hcisimSensitive || []);
  const log = [];
  try {  // events captured on a page that navigated away before they were collected
    const pending = JSON.parse(sessionStorage.getItem(KEY) || "[]");
    sessionStorage.removeItem(KEY);
    for (const e of pending) log.push(e);
  } catch (e) { /* storage may be unavailable (opaque origins) */ }

  // Up to an id or the root, however deep: a path cut short (it stopped 8 levels up) named look-alike deep
  // elements alike, and a strict locator by it failed as ambiguous.
  function cssPath(el) {
    if (!(el instanceof Element)) return null;
    const parts = [];
    while (el && el.nodeType === 1) {
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
    if (!name && NAMED_BY_CONTENT.includes(role)) name = (publicText(el, false) || "").trim();
    return name || el.getAttribute("placeholder") || el.getAttribute("title") || null;
  }

  // -- the element descriptor (docs/format.md, "Element descriptor") --------------------------------
  // Several independent handles to find the element again on a changed build: attributes, texts,
  // accessible role/name/label, three paths, the box in page coordinates and the texts around it.
  const SKIP_ATTRS = /^(style|on.*)$/;
  const BUTTON_TYPES = ["button", "submit", "reset", "image"];
  const squash = (s, n) => { const t = (s || "").replace(/\s+/g, " ").trim(); return t ? t.slice(0, n) : null; };

  function step(el) {
    const parent = el.parentElement;
    let i = 1;
    if (parent) for (const c of parent.children) { if (c === el) break; if (c.localName === el.localName) i++; }
    return `${el.localName}[${i}]`;
  }

  function xpathOf(el) {
    const parts = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) parts.unshift(step(n));
    return "/" + parts.join("/");
  }

  function idxpathOf(el) {
    const parts = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      if (n.id) return `//*[@id='${n.id}']` + (parts.length ? "/" + parts.join("/") : "");
      parts.unshift(step(n));
    }
    return "/" + parts.join("/");
  }

  function isButton(el) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    return el.localName === "button" || (el.localName === "input" && BUTTON_TYPES.includes(type))
      || el.getAttribute("role") === "button";
  }

  function visibleTextOf(el, secret) {
    if (el.localName === "input") {
      const type = (el.getAttribute("type") || "text").toLowerCase();
      if (BUTTON_TYPES.includes(type)) return squash(el.value, 200);
      return secret ? null : squash(el.getAttribute("placeholder"), 200);
    }
    if (el.localName === "textarea") return squash(el.getAttribute("placeholder"), 200);
    if (el.localName === "select") {  // a private select's choice is its secret (a diagnosis, an expiry year)
      const o = el.selectedOptions && el.selectedOptions[0];
      return o && !secret ? squash(o.textContent, 200) : null;
    }
    return squash(publicText(el, true), 200);
  }

  function attrsOf(el, secret) {
    const out = {};
    for (const a of el.attributes) {
      if (SKIP_ATTRS.test(a.name) || (secret && a.name === "value")) continue;
      out[a.name] = a.value.slice(0, 200);
    }
    return out;
  }

  function pageBox(el) {
    const r = el.getBoundingClientRect();
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height };
  }

  // Text-bearing visible elements with their boxes: what "the text left of it" is chosen from.
  // Rebuilt at most every 250 ms, so describing each keystroke's target stays cheap on big pages.
  let textCache = { t: -1e9, items: [] };
  function textItems() {
    const now = performance.now();
    if (now - textCache.t < 250) return textCache.items;
    const items = [];
    for (const el of document.body ? document.body.querySelectorAll("*") : []) {
      let own = "";
      for (const c of el.childNodes) if (c.nodeType === 3) own += c.textContent;
      own = squash(own, 80);
      if (own && isSensitive(el)) continue;  // a private editor's words are no one's neighbour
      if (!own && el.localName === "input") own = squash(el.getAttribute("placeholder") || "", 80);
      if (!own) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      items.push({ el, text: own, x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height });
    }
    textCache = { t: now, items };
    return items;
  }

  function neighborsOf(el, b) {
    const best = {};
    const gap = {};
    for (const it of textItems()) {
      if (it.el === el || el.contains(it.el) || it.el.contains(el)) continue;
      const overlapY = Math.min(b.y + b.h, it.y + it.h) - Math.max(b.y, it.y) > 0;
      const overlapX = Math.min(b.x + b.w, it.x + it.w) - Math.max(b.x, it.x) > 0;
      const sides = [];
      if (overlapY && it.x + it.w <= b.x + 1) sides.push(["left", b.x - (it.x + it.w)]);
      if (overlapY && it.x >= b.x + b.w - 1) sides.push(["right", it.x - (b.x + b.w)]);
      if (overlapX && it.y + it.h <= b.y + 1) sides.push(["above", b.y - (it.y + it.h)]);
      if (overlapX && it.y >= b.y + b.h - 1) sides.push(["below", it.y - (b.y + b.h)]);
      for (const [side, d] of sides) if (!(side in gap) || d < gap[side]) { gap[side] = d; best[side] = it.text; }
    }
    return best;
  }

  function describe(el) {
    if (!(el instanceof Element)) return null;
    const role = roleOf(el);
    const secret = isSensitive(el);
    const box = pageBox(el);
    const xpath = xpathOf(el);
    return {
      id: xpath, page: location.pathname, tag: el.localName, attrs: attrsOf(el, secret),
      text: secret ? null : squash(publicText(el, false), 200), visible_text: visibleTextOf(el, secret),
      role, name: nameOf(el, role), label: labelOf(el), xpath, idxpath: idxpathOf(el), css: cssPath(el),
      box, neighbors: neighborsOf(el, box), is_button: isButton(el),
      // Conveniences hcisim's own readers use: the test id, the input type, whether values are withheld,
      // and the scroll offset (box minus scroll is the box in the viewport, as the actions table stores it).
      testid: el.getAttribute("data-testid"), type: el.getAttribute("type"), sensitive: secret,
      scroll: { x: window.scrollX, y: window.scrollY },
    };
  }

  // A field is sensitive, and so is everything inside one (the text of a private contenteditable).
  function isSensitive(el) {
    if (!(el instanceof Element)) return false;
    if (el.type === "password") return true;
    if (el.closest("[data-private]")) return true;
    const ac = (el.getAttribute("autocomplete") || "").trim().split(/\s+/);
    if (ac.some(t => SENSITIVE_AUTOCOMPLETE.test(t))) return true;
    return extraSensitive.some(sel => { try { return !!el.closest(sel); } catch (e) { return false; } });
  }

  function sensitiveInside(el) {
    const sels = ["[data-private]", "[contenteditable]", ...extraSensitive];
    return sels.some(sel => { try { return Array.from(el.querySelectorAll(sel)).some(isSensitive); }
                              catch (e) { return false; } });
  }

  // An element's text without what its sensitive descendants hold (a container's textContent would
  // carry a private editor's words into the descriptor of whatever was clicked around it).
  function publicText(el, visible) {
    if (!sensitiveInside(el)) return visible ? el.innerText : el.textContent;
    let out = "";
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) if (!isSensitive(n.parentElement)) out += n.textContent + " ";
    return out;
  }

  // Boxes (viewport px) of every sensitive field on screen: the recorder paints them over in screenshots.
  function sensitiveBoxes() {
    const sels = ["input", "textarea", "select", "[contenteditable]", "[data-private]", ...extraSensitive];
    const seen = new Set(), out = [];
    for (const sel of sels) {
      let els = [];
      try { els = document.querySelectorAll(sel); } catch (e) { continue; }
      for (const el of els) {
        if (seen.has(el) || !isSensitive(el)) continue;
        seen.add(el);
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) out.push([r.left, r.top, r.width, r.height]);
      }
    }
    return out;
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
  // Where a drag left what it dragged: the app moves it in its own mouseup handler, after this capturing
  // listener, so the place is read in the next task. Replay checks the same place (a card's order in a column).
  let pressed = null;
  window.addEventListener("mousedown", e => { pressed = { el: aimed(e.target), x: e.clientX, y: e.clientY }; }, opts);
  window.addEventListener("mouseup", e => {
    const p = pressed;
    pressed = null;
    if (!p || Math.hypot(e.clientX - p.x, e.clientY - p.y) < 4) return;
    const at = t(e);
    setTimeout(() => push({ type: "placed", t: at, ...placeOf(p.el) }), 0);
  }, opts);

  // An element's place among its siblings: its parent and the parent's children in order.
  function placeOf(el) {
    const parent = el && el.isConnected ? el.parentElement : null;
    if (!parent) return { parent: null, order: null, index: null };
    return { parent: describe(parent), order: orderOf(parent),
             index: Array.prototype.indexOf.call(parent.children, el) };
  }

  // A container's children in order, each by its public text (a sensitive one as null), at most 50.
  function orderOf(parent) {
    return Array.from(parent.children).slice(0, 50)
      .map(k => isSensitive(k) ? null : squash(publicText(k, false), 80));
  }
  window.addEventListener("wheel", e => push({
    type: "wheel", t: t(e), x: e.clientX, y: e.clientY, dx: e.deltaX, dy: e.deltaY, target: cssPath(e.target),
  }), opts);
  // In a sensitive field only keys that move or edit say nothing of the secret; every other key is masked:
  // a character as "•", a named key (Shift, CapsLock, AltGraph, a dead key, an IME's Process) as
  // "Unidentified" -- a Shift before the first and fourth "•" said which characters were capitals.
  const EDITING_KEYS = new Set(["Enter", "Tab", "Escape", "Backspace", "Delete", "ArrowLeft", "ArrowRight",
                                "ArrowUp", "ArrowDown", "Home", "End", "Control", "Meta", "Alt"]);
  const maskedKey = key => key.length === 1 ? "•" : "Unidentified";
  for (const type of ["keydown", "keyup"]) {
    window.addEventListener(type, e => {
      const secret = isSensitive(e.target) && !EDITING_KEYS.has(e.key);
      push({ type, t: t(e), key: secret ? maskedKey(e.key) : e.key, code: secret ? null : e.code,
             target: cssPath(e.target), desc: type === "keydown" ? describe(e.target) : undefined });
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
  // A form sent by GET puts its fields into the next page's URL (?pw=...): the names of the private fields seen in
  // this tab are kept (sessionStorage), and a URL's parameters of those names are stored as "•".
  const NAMES_KEY = "__hcisim_private_names";
  function privateNames() {
    try { return new Set(JSON.parse(sessionStorage.getItem(NAMES_KEY) || "[]")); } catch (e) { return new Set(); }
  }
  function notePrivateNames() {
    const names = privateNames(), before = names.size;
    for (const el of document.querySelectorAll("input[name], textarea[name], select[name]")) {
      if (isSensitive(el)) names.add(el.getAttribute("name"));
    }
    if (names.size !== before) {
      try { sessionStorage.setItem(NAMES_KEY, JSON.stringify([...names])); } catch (e) { /* ignore */ }
    }
  }
  function withoutPrivateQuery(url) {
    const names = privateNames();
    if (!names.size || !url.includes("?")) return url;
    try {
      const u = new URL(url);
      const hit = [...u.searchParams.keys()].filter(k => names.has(k));
      for (const k of hit) u.searchParams.set(k, "•");
      return hit.length ? u.href : url;
    } catch (e) { return url; }
  }
  window.addEventListener("submit", notePrivateNames, opts);
  window.addEventListener("pagehide", () => {
    notePrivateNames();
    push({ type: "navigate_away", t: performance.timeOrigin + performance.now(),
           target: withoutPrivateQuery(location.href) });
    try { sessionStorage.setItem(KEY, JSON.stringify(log)); } catch (e) { /* ignore */ }
    flush();
  });

  window.__hcisim = {
    cssPath,
    isSensitive,
    sensitiveBoxes,
    describe,
    describeAll(els) { return Array.from(els, describe); },
    orderOf,
    roleOf,
    nameOf,
    drain() { return log.splice(0, log.length); },
    flush,
  };
})();
