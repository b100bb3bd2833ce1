// A rich text area (contenteditable) with Bold and Italic toggles, and a draft save.
// The toolbar buttons keep the caret in the text (mousedown does not take focus), as
// real editors do, so a person can select a word, click Bold and keep typing.
"use strict";

App.page("editor", () => {
  const $ = App.$;
  const subject = $("editor-subject"), body = $("editor-body"), status = $("editor-status");
  const buttons = { bold: $("editor-bold"), italic: $("editor-italic") };
  let saved = null;

  for (const [command, button] of Object.entries(buttons)) {
    button.addEventListener("mousedown", (e) => e.preventDefault());
    button.addEventListener("click", () => {
      if (!body.contains(document.getSelection().anchorNode)) body.focus();
      document.execCommand(command);
      sync();
    });
  }
  function sync() {
    const inBody = body.contains(document.getSelection().anchorNode);
    for (const [command, button] of Object.entries(buttons)) {
      button.setAttribute("aria-pressed", inBody && document.queryCommandState(command) ? "true" : "false");
    }
  }
  document.addEventListener("selectionchange", sync);

  const runs = (sel) => Array.from(body.querySelectorAll(sel)).map((n) => n.textContent).filter((t) => t.trim());
  const text = () => body.innerText.replace(/\n$/, "");
  const words = () => text().split(/\s+/).filter(Boolean).length;

  $("editor-save").addEventListener("click", () => {
    saved = { subject: subject.value, text: text(), html: body.innerHTML };
    status.textContent = `Draft saved (${words()} words).`;
  });

  return () => ({
    fields: { subject: subject.value, text: text() }, html: body.innerHTML,
    bold: runs("b, strong"), italic: runs("i, em"), words: words(), saved,
  });
});
