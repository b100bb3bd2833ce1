// A kanban board whose cards move with plain mouse events (mousedown / mousemove /
// mouseup), not only HTML5 drag and drop: synthetic drags from Playwright, xdotool
// or pyautogui produce mouse events, and HTML5 DnD would swallow them.
"use strict";

const CARDS = {
  todo: ["Write report", "Fix login bug", "Update docs", "Plan sprint"],
  doing: ["Review pull request", "Design new logo"],
  done: ["Set up CI"],
};
const DRAG_THRESHOLD_PX = 4;

App.page("board", () => {
  const $ = App.$;
  const board = $("board"), status = $("board-status");
  const columns = Array.from(board.querySelectorAll(".column"));
  const listOf = (col) => col.querySelector(".cards");
  const moves = [];

  for (const col of columns) {
    for (const title of CARDS[col.dataset.column]) {
      const key = `card-${App.slug(title)}`;
      listOf(col).append(App.el("li", { id: key, "data-testid": key, class: "card-item", "aria-label": title,
                                        "aria-roledescription": "card", "data-card": title }, title));
    }
  }

  let drag = null;  // {card, fromCol, fromIndex, x0, y0, started}

  board.addEventListener("mousedown", (e) => {
    const card = e.target.closest(".card-item");
    if (!card || e.button !== 0) return;
    e.preventDefault();  // no text selection while dragging
    const col = card.closest(".column");
    drag = { card, fromCol: col.dataset.column, fromIndex: Array.from(listOf(col).children).indexOf(card),
             x0: e.clientX, y0: e.clientY, started: false };
  });

  document.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x0, dy = e.clientY - drag.y0;
    if (!drag.started) {
      if (Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
      drag.started = true;
      drag.card.classList.add("dragging");
    }
    drag.card.style.transform = `translate(${dx}px, ${dy}px)`;
    const col = columnAt(e.clientX, e.clientY);
    for (const c of columns) c.classList.toggle("drop-target", c === col);
  });

  document.addEventListener("mouseup", (e) => {
    if (!drag) return;
    const { card, fromCol, fromIndex, started } = drag;
    drag = null;
    card.classList.remove("dragging");
    card.style.transform = "";
    for (const c of columns) c.classList.remove("drop-target");
    if (!started) return;
    const col = columnAt(e.clientX, e.clientY);
    if (!col) { status.textContent = `“${card.dataset.card}” was dropped outside the board.`; return; }
    const list = listOf(col);
    const others = Array.from(list.children).filter((c) => c !== card);
    const before = others.find((c) => { const r = c.getBoundingClientRect(); return e.clientY < r.top + r.height / 2; });
    list.insertBefore(card, before || null);
    const index = Array.from(list.children).indexOf(card);
    if (col.dataset.column === fromCol && index === fromIndex) return;
    moves.push({ card: card.dataset.card, from: fromCol, to: col.dataset.column, index });
    status.textContent = `Moved “${card.dataset.card}” to ${col.querySelector("h2").textContent}.`;
  });

  /** The column under the pointer; the dragged card ignores the pointer meanwhile (CSS), so it never hides it. */
  function columnAt(x, y) {
    const hit = document.elementFromPoint(x, y);
    return hit ? hit.closest(".column") : null;
  }

  return () => ({
    columns: Object.fromEntries(columns.map((c) => [c.dataset.column,
      Array.from(listOf(c).children).map((card) => card.dataset.card)])),
    moves: moves.slice(), dragging: drag && drag.started ? drag.card.dataset.card : null,
  });
});
