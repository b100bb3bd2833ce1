// Sign in: any non-empty username and password are accepted; the session lives in
// sessionStorage (the password itself is never stored anywhere).
"use strict";

App.page("login", () => {
  const $ = App.$;
  const form = $("login-form"), user = $("login-username"), pass = $("login-password");
  const remember = $("login-remember"), error = $("login-error");
  let attempts = 0;

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    attempts += 1;
    if (!user.value.trim() || !pass.value) {
      error.textContent = "Enter a username and a password.";
      error.hidden = false;
      (user.value.trim() ? pass : user).focus();
      return;
    }
    error.hidden = true;
    App.signIn(user.value.trim(), remember.checked);
    const next = new URLSearchParams(location.search).get("next");
    location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/form");
  });

  return () => ({
    fields: { username: user.value, password_length: pass.value.length, remember: remember.checked },
    error: error.hidden ? null : error.textContent, attempts,
  });
});
