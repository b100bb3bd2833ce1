// One search result, opened from the results list (/detail?q=...&r=N).
"use strict";

App.page("detail", () => {
  const $ = App.$;
  const params = new URLSearchParams(location.search);
  const query = Results.clean(params.get("q")), n = Number(params.get("r"));
  const result = Results.one(query, n);
  const save = $("detail-save");
  $("detail-back").setAttribute("href", query ? `/search?q=${encodeURIComponent(query)}` : "/search");
  if (result) {
    document.title = `${result.title} · hcisim demo`;
    $("detail-title").textContent = result.title;
    $("detail-source").textContent = `Result ${result.n} of ${Results.COUNT} · ${result.source}`;
    $("detail-body").textContent = result.snippet;
  } else {
    save.disabled = true;
  }
  save.addEventListener("click", () => {
    const on = save.getAttribute("aria-pressed") !== "true";
    save.setAttribute("aria-pressed", on ? "true" : "false");
  });

  return () => ({ query, result: result ? result.n : null, title: result ? result.title : null,
                  saved: save.getAttribute("aria-pressed") === "true" });
});
