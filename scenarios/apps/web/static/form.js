// The long order form: text fields, a native <select>, a custom combobox (the kind of
// dropdown capture tools must label option by option), a date, radios, checkboxes,
// a card number and a private notes field, and a summary shown on submit.
"use strict";

// Languages as v1 lists them (roughly by how many people pick them); v2 sorts them A-Z.
const LANGUAGES = [
  "English", "Spanish", "French", "German", "Chinese", "Japanese", "Portuguese", "Italian",
  "Dutch", "Russian", "Korean", "Arabic", "Hindi", "Swedish", "Polish", "Turkish",
  "Greek", "Czech", "Finnish", "Norwegian", "Danish",
];

App.page("form", () => {
  const $ = App.$;
  const form = $("order-form");
  const text = { name: $("form-name"), email: $("form-email"), phone: $("form-phone"), street: $("form-street"),
                 city: $("form-city"), zip: $("form-zip") };
  const country = $("form-country"), date = $("form-date"), card = $("form-card"), notes = $("form-notes");
  const newsletter = $("form-newsletter"), terms = $("form-terms");
  const summary = $("form-summary"), summaryList = $("form-summary-list");
  const combo = makeCombobox($("form-language"), $("form-language-list"),
                             App.V2 ? [...LANGUAGES].sort() : LANGUAGES);
  let submitted = 0, lastSubmitted = null;

  function values() {
    const contact = form.querySelector("input[name=contact]:checked");
    const v = {};
    for (const [k, input] of Object.entries(text)) v[k] = input.value;
    Object.assign(v, {
      country: country.value, language: combo.value(), delivery_date: date.value,
      contact: contact ? contact.value : null, newsletter: newsletter.checked, terms: terms.checked,
      // Sensitive fields: their length only, so no dataset that stores app state can leak them.
      card_number_length: card.value.length, notes_length: notes.value.length,
    });
    return v;
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    combo.close();
    const v = values();
    submitted += 1;
    lastSubmitted = v;
    summaryList.replaceChildren();
    const shown = [
      ["Name", v.name], ["E-mail", v.email], ["Phone", v.phone], ["Street", v.street], ["City", v.city],
      ["ZIP code", v.zip], ["Country", v.country], ["Language", v.language || ""], ["Delivery date", v.delivery_date],
      ["Contact", v.contact || ""], ["Newsletter", v.newsletter ? "yes" : "no"], ["Terms accepted", v.terms ? "yes" : "no"],
      ["Card number", v.card_number_length ? `•••• (${v.card_number_length} characters)` : ""],
      ["Delivery notes", v.notes_length ? `(${v.notes_length} characters, private)` : ""],
    ];
    for (const [k, val] of shown) {
      summaryList.append(App.el("dt", {}, k), App.el("dd", { "data-field": App.slug(k) }, val || "—"));
    }
    summary.hidden = false;
    summary.scrollIntoView({ block: "nearest" });
  });

  return () => ({ fields: values(), submitted, summary: lastSubmitted, dropdown: combo.state() });
});

/**
 * A div-based combobox (ARIA 1.2 select-only pattern). Opened by click (or Alt+Down /
 * Enter / Space when focused); ArrowUp/ArrowDown move the highlight, Enter picks,
 * Escape closes; hovering an option highlights it; the option list scrolls with the
 * wheel. On opening nothing is highlighted, so the first ArrowDown lands on option 1
 * whatever was chosen before -- the runner counts key presses from there.
 */
function makeCombobox(box, list, labels) {
  const PLACEHOLDER = "Choose a language";
  const options = labels.map((label) => {
    const key = App.slug(label);
    return App.el("li", { id: `lang-${key}`, "data-testid": `language-option-${key}`, role: "option",
                          "aria-selected": "false", class: "option" }, label);
  });
  list.append(...options);
  let chosen = -1, active = -1, picks = [];
  let lastPointer = null;
  const log = [];

  function render() {
    box.textContent = chosen >= 0 ? labels[chosen] : "";
    box.dataset.placeholder = PLACEHOLDER;
    box.classList.toggle("empty", chosen < 0);
    options.forEach((o, i) => {
      o.setAttribute("aria-selected", i === chosen ? "true" : "false");
      o.classList.toggle("active", i === active);
    });
    if (active >= 0) box.setAttribute("aria-activedescendant", options[active].id);
    else box.removeAttribute("aria-activedescendant");
  }
  function isOpen() { return !list.hidden; }
  function open() {
    if (isOpen()) return;
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    active = -1;
    list.scrollTop = 0;
    log.push("open");
    render();
  }
  function close() {
    if (!isOpen()) return;
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    active = -1;
    log.push("close");
    render();
  }
  function highlight(i, how) {
    if (i === active) return;
    active = Math.max(0, Math.min(options.length - 1, i));
    log.push(`${how}:${labels[active]}`);
    if (how === "key") {  // keep the highlighted option in view, scrolling the list only (never the page)
      const o = options[active];
      if (o.offsetTop < list.scrollTop) list.scrollTop = o.offsetTop;
      else if (o.offsetTop + o.offsetHeight > list.scrollTop + list.clientHeight) {
        list.scrollTop = o.offsetTop + o.offsetHeight - list.clientHeight;
      }
    }
    render();
  }
  function pick(i, how) {
    chosen = i;
    picks.push({ value: labels[i], via: how });
    log.push(`pick-${how}:${labels[i]}`);
    close();
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  box.addEventListener("click", () => { if (isOpen()) close(); else open(); });
  box.addEventListener("keydown", (e) => {
    const k = e.key;
    if (!isOpen()) {
      if (k === "ArrowDown" || k === "ArrowUp" || k === "Enter" || k === " ") { e.preventDefault(); open(); }
      return;
    }
    if (k === "ArrowDown") { e.preventDefault(); highlight(active + 1, "key"); }
    else if (k === "ArrowUp") { e.preventDefault(); highlight(active < 0 ? options.length - 1 : active - 1, "key"); }
    else if (k === "Home") { e.preventDefault(); highlight(0, "key"); }
    else if (k === "End") { e.preventDefault(); highlight(options.length - 1, "key"); }
    else if (k === "Enter" || k === " ") { e.preventDefault(); if (active >= 0) pick(active, "key"); else close(); }
    else if (k === "Escape") { e.preventDefault(); close(); }
    else if (k === "Tab") close();
  });
  // Hover highlights -- but only on real pointer motion: Chromium sends a synthetic
  // mouse event after the list scrolls under a resting pointer, which must not steal
  // the keyboard's highlight.
  list.addEventListener("mousemove", (e) => {
    const moved = !lastPointer || lastPointer[0] !== e.clientX || lastPointer[1] !== e.clientY;
    lastPointer = [e.clientX, e.clientY];
    const o = e.target.closest("[role=option]");
    if (moved && o) highlight(options.indexOf(o), "hover");
  });
  list.addEventListener("mousedown", (e) => e.preventDefault());  // keep focus on the combobox
  list.addEventListener("click", (e) => {
    const o = e.target.closest("[role=option]");
    if (o) pick(options.indexOf(o), "click");
  });
  list.addEventListener("wheel", () => log.push("wheel"), { passive: true });
  document.addEventListener("mousedown", (e) => {
    if (isOpen() && !box.contains(e.target) && !list.contains(e.target)) close();
  });
  render();

  return {
    value: () => (chosen >= 0 ? labels[chosen] : null),
    close,
    state: () => ({ open: isOpen(), active: active >= 0 ? labels[active] : null, picks: picks.slice(),
                    options: labels.slice(), log: log.slice(-200) }),
  };
}
