// Shared by every page of the demo app: the build flag, the v2 build's differences,
// the nav bar, the login session and `window.__app.state()`.
//
// v1 is the markup as written in pages/*.html. v2 ("the new build") is v1 plus the
// declarative differences in BUILD_V2, applied once when the page has been wired --
// one source for both builds, so they cannot drift apart by accident. Page scripts
// grab their elements by v1 id *before* the build is applied and keep references,
// so behaviour never depends on ids; elements created later (search results) are made
// with v1 ids and passed through App.renameIds().
"use strict";

window.App = (() => {
  const VERSION = document.documentElement.dataset.version === "v2" ? "v2" : "v1";
  const V2 = VERSION === "v2";

  const PAGES = [
    ["login", "Login"], ["form", "Form"], ["search", "Search"],
    ["board", "Board"], ["dialog", "Dialog"], ["editor", "Editor"],
  ];

  // What the new build changed. Keys are v1 ids (or v1 test ids for `testids`).
  const BUILD_V2 = {
    // A few ids renamed by hand; every other id changes from kebab-case to camelCase.
    ids: {
      "form-email": "emailAddress", "form-submit": "saveButton", "login-submit": "signInButton",
      "search-query": "q", "dialog-open": "openEventDialog", "editor-body": "richText",
    },
    // Most test ids are kept (QA's contract); these few were renamed.
    testids: {
      "login-submit": "signin-submit", "form-phone": "form-telephone",
      "search-submit": "search-go", "column-done": "lane-done", "nav-editor": "nav-compose",
    },
    // New wording. For a form control this is the text of its <label>; for a button
    // or link its text; for an element named by aria-label, that attribute.
    labels: {
      "login-username": "User name", "login-remember": "Keep me signed in",
      "form-name": "Your name", "form-email": "Email address", "form-zip": "Postal code",
      "form-submit": "Save", "form-newsletter": "Send me the newsletter",
      "nav-board": "Kanban board", "dialog-confirm": "Confirm event", "editor-save": "Save draft now",
    },
    // Containers whose children (by v1 id) were reordered.
    order: {
      "form-personal": ["row-email", "row-name", "row-phone"],
      "form-address": ["row-country", "row-city", "row-zip", "row-street"],
      "form-preferences": ["row-contact", "row-language", "row-date", "row-newsletter", "row-terms"],
    },
    // The one removed button.
    remove: ["search-clear"],
  };

  const camel = (id) => id.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
  const id = (v1) => (V2 ? BUILD_V2.ids[v1] || camel(v1) : v1);
  const $ = (v1) => document.getElementById(v1);

  // -- session (login) --------------------------------------------------------
  const SESSION_KEY = "hcisim.demo.session";
  function session() {
    try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null; } catch (e) { return null; }
  }
  function signIn(user, remember) {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ user, remember: !!remember }));
  }

  // -- small deterministic helpers ---------------------------------------------
  // mulberry32: the same seed gives the same list in every browser, every run.
  function rng(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6D2B79F5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function hash(text) {  // FNV-1a, 32 bit
    let h = 0x811c9dc5;
    for (const ch of text) { h ^= ch.codePointAt(0); h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }
  const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  function el(tag, attrs = {}, text = null) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, v);
    if (text !== null) node.textContent = text;
    return node;
  }

  // -- nav bar -----------------------------------------------------------------
  function buildNav(page) {
    const nav = $("nav");
    nav.setAttribute("aria-label", "Main");
    nav.setAttribute("data-testid", "nav");
    nav.append(el("span", { class: "brand" }, "hcisim demo"));
    const list = el("ul", { class: "nav-links" });
    for (const [key, label] of PAGES) {
      const a = el("a", { id: `nav-${key}`, "data-testid": `nav-${key}`, href: `/${key}` }, label);
      if (key === page || (page === "detail" && key === "search")) a.setAttribute("aria-current", "page");
      const li = el("li");
      li.append(a);
      list.append(li);
    }
    nav.append(list);
    const who = session();
    nav.append(el("span", { id: "nav-user", "data-testid": "nav-user", class: "nav-user" },
      who ? `Signed in as ${who.user}` : "Not signed in"));
  }

  // -- applying the v2 build -----------------------------------------------------
  const ID_REFS = ["for", "aria-controls", "aria-labelledby", "aria-describedby", "aria-activedescendant"];

  function applyBuild() {
    if (!V2) return;
    for (const v1 of BUILD_V2.remove) { const n = $(v1); if (n) n.remove(); }
    for (const [box, children] of Object.entries(BUILD_V2.order)) {
      const parent = $(box);
      if (!parent) continue;
      for (const child of children) { const n = $(child); if (n && n.parentElement === parent) parent.append(n); }
    }
    for (const [v1, text] of Object.entries(BUILD_V2.labels)) relabel($(v1), text);
    for (const [v1, v2] of Object.entries(BUILD_V2.testids)) {
      const n = document.querySelector(`[data-testid="${v1}"]`);
      if (n) n.setAttribute("data-testid", v2);
    }
    renameIds(document.body);
  }

  function relabel(node, text) {
    if (!node) return;
    if (node.labels && node.labels.length) {
      // Keep anything else inside the label (e.g. a wrapped checkbox); replace its text only.
      const label = node.labels[0];
      const textNode = Array.from(label.childNodes).find(c => c.nodeType === Node.TEXT_NODE && c.textContent.trim());
      if (textNode) textNode.textContent = text; else label.append(text);
    } else if (node.hasAttribute("aria-labelledby")) {
      const label = document.getElementById(node.getAttribute("aria-labelledby").split(/\s+/)[0]);
      if (label) label.textContent = text;
    } else if (node.hasAttribute("aria-label")) {
      node.setAttribute("aria-label", text);
    } else {
      node.textContent = text;
    }
  }

  /** Give `root` and everything under it the running build's ids (idempotent: v2 ids map to themselves). */
  function renameIds(root) {
    if (!V2) return;
    for (const n of [root, ...root.querySelectorAll("[id]")]) if (n.id) n.id = id(n.id);
    for (const attr of ID_REFS) {
      for (const n of root.querySelectorAll(`[${attr}]`)) {
        const refs = n.getAttribute(attr).split(/\s+/).filter(Boolean);
        n.setAttribute(attr, refs.map(r => (document.getElementById(r) ? r : id(r))).join(" "));
      }
    }
  }

  // -- wiring a page ---------------------------------------------------------------
  let pageName = null;
  let pageState = () => ({});

  /** Wire page `name`: `setup` runs on the v1 markup and returns a function giving the page's state. */
  function page(name, setup) {
    pageName = name;
    document.body.dataset.page = name;
    buildNav(name);
    pageState = setup() || (() => ({}));
    applyBuild();
  }

  window.__app = {
    version: VERSION,
    get page() { return pageName; },
    state() {
      const who = session();
      return { version: VERSION, page: pageName, user: who ? who.user : null, ...pageState() };
    },
  };

  return { VERSION, V2, $, el, rng, hash, slug, session, signIn, page, renameIds };
})();
