// Describe one element as a person would see it now: where it is on screen, whether
// it can be seen, how far to scroll (and where) to bring it into comfortable view,
// its role/name/text, options, focus and tab order. Called as `(el) => {...}`.
(el) => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const r = el.getBoundingClientRect();
  const h = window.__hcisim;
  const cssPath = h.cssPath;
  const tag = el.localName;
  const type = (el.getAttribute("type") || "").toLowerCase();
  const role = h.roleOf(el);
  const name = h.nameOf(el, role);
  let kind = "other";
  if (tag === "input") kind = type === "password" ? "password" : (["checkbox", "radio"].includes(type) ? type : "input");
  else if (tag === "textarea") kind = "textarea";
  else if (el.isContentEditable) kind = "editor";  // rich text: typed at the caret, its text not a value
  else if (tag === "select") kind = "select";
  else if (role === "combobox") kind = "combobox";
  else if (role === "option") kind = "option";
  else if (role === "button" || tag === "button") kind = "button";
  else if (role === "link") kind = "link";

  // Nearest scrollable ancestor other than the document.
  let container = el.parentElement;
  while (container && container !== document.body && container !== document.documentElement) {
    const st = getComputedStyle(container);
    if (/(auto|scroll)/.test(st.overflowY) && container.scrollHeight > container.clientHeight + 1) break;
    container = container.parentElement;
  }
  if (container === document.body || container === document.documentElement) container = null;
  const cr = container ? container.getBoundingClientRect() : null;

  const comfortable = 0.4;
  // Visible: entirely on screen, or -- for an element taller than the viewport -- filling half of it.
  const fits = r.height <= vh;
  const overlap = Math.min(r.bottom, vh) - Math.max(r.top, 0);
  let visible = r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= vw &&
    (fits ? r.top >= 0 && r.bottom <= vh : overlap >= vh * 0.5);
  let scrollDy = 0, scrollAt = null;
  if (container && cr) {
    const inContainer = r.top >= cr.top && r.bottom <= cr.bottom;
    const containerInView = cr.top >= 0 && cr.bottom <= vh;
    if (!containerInView && !(cr.top < vh * 0.8 && cr.bottom > vh * 0.2 && inContainer && visible)) {
      scrollDy = (cr.top + Math.min(cr.height, vh) / 2) - vh * 0.5;
      // the page must scroll, so the wheel turns beside the container, not over it
      scrollAt = [cr.left > 60 ? cr.left - 40 : Math.min(cr.right + 40, vw - 5), vh / 2];
      visible = false;
    } else if (!inContainer) {
      scrollDy = (r.top + r.height / 2) - (cr.top + cr.height * comfortable);
      const ax = Math.min(Math.max(cr.left + cr.width / 2, 5), vw - 5);
      const ay = Math.min(Math.max(cr.top + cr.height / 2, 5), vh - 5);
      scrollAt = [ax, ay];
      visible = false;
    }
  } else if (!visible) {
    scrollDy = (r.top + r.height / 2) - vh * comfortable;
  }
  if (visible) {  // covered by something else (a modal, a sticky bar)?
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (hit && hit !== el && !el.contains(hit) && !hit.contains(el) && !(el.labels && Array.from(el.labels).some(l => l.contains(hit)))) {
      const st = getComputedStyle(hit);
      if (st.position === "fixed" || st.position === "sticky") { visible = false; scrollDy = -vh * 0.2; }
    }
  }

  const TABBABLE = "a[href], button, input, select, textarea, [tabindex], [contenteditable=true]";
  const tabbables = Array.from(document.querySelectorAll(TABBABLE)).filter(e => {
    if (e.disabled || e.tabIndex < 0) return false;
    const b = e.getBoundingClientRect();
    return b.width > 0 && b.height > 0 && getComputedStyle(e).visibility !== "hidden";
  });
  const idx = tabbables.indexOf(el);
  const active = document.activeElement;
  let options = [], selectedIndex = -1, activeIndex = -1;
  if (tag === "select") {
    options = Array.from(el.options).map(o => o.textContent.trim());
    selectedIndex = el.selectedIndex;
  } else if (role === "combobox" || role === "listbox" || el.getAttribute("aria-haspopup") === "listbox") {
    const lbId = el.getAttribute("aria-controls") || el.getAttribute("aria-owns");
    const lb = role === "listbox" ? el : lbId ? document.getElementById(lbId)
      : (el.parentElement && el.parentElement.querySelector("[role=listbox]"));
    if (lb) {
      const opts = Array.from(lb.querySelectorAll("[role=option]"));
      options = opts.map(o => (o.getAttribute("aria-label") || o.textContent).trim());
      selectedIndex = opts.findIndex(o => o.getAttribute("aria-selected") === "true");
      // the option the keys have reached, as a person sees it highlighted (ARIA: aria-activedescendant)
      const act = el.getAttribute("aria-activedescendant") || lb.getAttribute("aria-activedescendant");
      activeIndex = act ? opts.findIndex(o => o.id === act) : -1;
    }
  }
  // Visible text only: never a field's value (it may be a password).
  const text = (["input", "select", "textarea"].includes(tag) ? "" : (el.innerText || "")).trim().slice(0, 200) || null;
  const region = el.closest("form, main, section, dialog, [role=dialog]") || document.body;
  const words = (region.innerText || "").split(/\s+/).filter(Boolean).length;
  return {
    box: [r.left, r.top, r.width, r.height], visible, scrollDy, scrollAt, kind, role, name, text,
    label: h.describe(el).label, id: el.id || null, sensitive: h.isSensitive(el),
    testid: el.getAttribute("data-testid"),
    selector: cssPath(el), checked: ("checked" in el && ["checkbox", "radio"].includes(type)) ? el.checked : null,
    focused: active === el, nextInTabOrder: idx > 0 && tabbables[idx - 1] === active,
    tabPrev: idx > 0 ? cssPath(tabbables[idx - 1]) : null,
    options, selectedIndex, activeIndex, wordsOnScreen: Math.min(words, 400),
    scrollY: window.scrollY, containerSelector: container ? cssPath(container) : null,
    containerScrollTop: container ? container.scrollTop : 0,
    containerBox: cr ? [cr.left, cr.top, cr.width, cr.height] : null,
    containerMaxScroll: container ? container.scrollHeight - container.clientHeight : 0,
    pageMaxScroll: Math.max(0, document.scrollingElement.scrollHeight - vh),
    path: location.pathname,
  };
}
