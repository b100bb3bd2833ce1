// Search results, generated deterministically from the query: any non-empty query has
// 60 results (12 aspects x 5 sources), numbered 1..60 for good (their ids and test ids
// follow the number, not the position). v1 ranks them by a relevance seeded from the
// query; v2 lists the same results A-Z by title -- a reordered list for replay to cope with.
"use strict";

window.Results = (() => {
  const ASPECTS = ["basics", "for beginners", "tips", "guide", "history", "news", "prices", "reviews",
                   "tools", "ideas", "questions", "forum"];
  const SOURCES = ["Wiki", "Journal", "Daily", "Review", "Archive"];
  const WORDS = ("practical simple detailed honest quick modern classic local seasonal expert friendly "
               + "careful complete short useful").split(" ");
  const COUNT = ASPECTS.length * SOURCES.length;

  const clean = (q) => (q || "").trim().replace(/\s+/g, " ");
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

  function all(query) {
    const q = clean(query);
    if (!q) return [];
    const rand = App.rng(App.hash(q.toLowerCase()));
    const items = [];
    for (let i = 0; i < COUNT; i++) {
      const n = i + 1;
      const aspect = ASPECTS[i % ASPECTS.length], source = SOURCES[Math.floor(i / ASPECTS.length)];
      const w = () => WORDS[Math.floor(rand() * WORDS.length)];
      items.push({
        n, title: `${cap(q)} ${aspect} (${source})`, source,
        snippet: `A ${w()} and ${w()} look at ${q.toLowerCase()} ${aspect}, from the ${source} collection.`,
        relevance: rand(),
      });
    }
    return items;
  }

  /** The results in the running build's order. */
  function ranked(query) {
    const items = all(query);
    if (App.V2) items.sort((a, b) => a.title.localeCompare(b.title));
    else items.sort((a, b) => b.relevance - a.relevance || a.n - b.n);
    return items;
  }

  function one(query, n) {
    return all(query).find((r) => r.n === n) || null;
  }

  return { ranked, one, clean, COUNT };
})();
