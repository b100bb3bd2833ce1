// A modal dialog: opened by a button, a small form inside, Confirm / Cancel, Escape
// closes it. Focus moves into the dialog and back to the opener, and Tab stays inside,
// as in a well-behaved modal.
"use strict";

App.page("dialog", () => {
  const $ = App.$;
  const opener = $("dialog-open"), backdrop = $("dialog-backdrop"), dialog = $("dialog");
  const form = $("dialog-form"), name = $("dialog-name"), guests = $("dialog-guests"), notify = $("dialog-notify");
  const cancel = $("dialog-cancel"), result = $("dialog-result");
  let outcome = null, saved = null;
  const events = [];

  const isOpen = () => !backdrop.hidden;
  const values = () => ({ event_name: name.value, guests: guests.value === "" ? null : Number(guests.value),
                          notify: notify.checked });

  function open() {
    form.reset();
    backdrop.hidden = false;
    document.body.classList.add("modal-open");
    events.push("open");
    name.focus();
  }
  function close(how) {
    if (!isOpen()) return;
    backdrop.hidden = true;
    document.body.classList.remove("modal-open");
    outcome = how;
    events.push(how);
    if (how === "confirmed") {
      saved = values();
      result.textContent = `Event “${saved.event_name || "Untitled"}” saved for ${saved.guests ?? 0} guests`
        + (saved.notify ? ", attendees notified." : ".");
    } else {
      result.textContent = how === "dismissed" ? "Dialog dismissed with Escape." : "Cancelled.";
    }
    opener.focus();
  }

  opener.addEventListener("click", open);
  cancel.addEventListener("click", () => close("cancelled"));
  form.addEventListener("submit", (e) => { e.preventDefault(); close("confirmed"); });
  document.addEventListener("keydown", (e) => {
    if (!isOpen()) return;
    if (e.key === "Escape") { e.preventDefault(); close("dismissed"); return; }
    if (e.key === "Tab") {  // keep focus inside the dialog
      const items = Array.from(dialog.querySelectorAll("input, button"));
      const i = items.indexOf(document.activeElement);
      if (e.shiftKey && i <= 0) { e.preventDefault(); items[items.length - 1].focus(); }
      else if (!e.shiftKey && i === items.length - 1) { e.preventDefault(); items[0].focus(); }
    }
  });

  return () => ({ open: isOpen(), result: outcome, fields: values(), saved, history: events.slice() });
});
