// Search: a query box, Search and Clear (v2 removed Clear) and a scrollable list of 60
// results; a result link opens its detail page. The query lives in the URL (?q=), so
// "Back to results" and a reload show the same list.
"use strict";

App.page("search", () => {
  const $ = App.$;
  const form = $("search-form"), box = $("search-query"), clear = $("search-clear");
  const count = $("search-count"), list = $("search-results");
  let submitted = null, searches = 0, clears = 0, shown = [];

  function render(query) {
    submitted = Results.clean(query);
    shown = Results.ranked(submitted);
    list.replaceChildren(...shown.map((r) => {
      const li = App.el("li", { id: `result-${r.n}`, "data-testid": `result-${r.n}`, class: "result" });
      const a = App.el("a", { id: `result-${r.n}-link`, "data-testid": `result-${r.n}-link`,
                              href: `/detail?q=${encodeURIComponent(submitted)}&r=${r.n}` }, r.title);
      li.append(a, App.el("p", { class: "snippet" }, r.snippet));
      return li;
    }));
    App.renameIds(list);
    list.scrollTop = 0;
    count.textContent = submitted ? `${shown.length} results for “${submitted}”` : "Type something and press Search.";
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    searches += 1;
    const q = Results.clean(box.value);
    history.replaceState(null, "", q ? `/search?q=${encodeURIComponent(q)}` : "/search");
    render(q);
  });
  clear.addEventListener("click", () => {
    clears += 1;
    box.value = "";
    history.replaceState(null, "", "/search");
    render("");
    box.focus();
  });

  const initial = new URLSearchParams(location.search).get("q");
  if (initial) { box.value = initial; render(initial); }

  return () => ({
    fields: { query: box.value }, submitted_query: submitted, searches, clears,
    results_count: shown.length, results: shown.map((r) => r.title), results_scroll_top: Math.round(list.scrollTop),
  });
});
