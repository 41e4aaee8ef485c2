// Quiz page: save answers as the learner goes, keep what they typed in this browser tab until
// the server has it, ask before open questions lock, and move ordering items when a place is
// chosen. Progressive enhancement only: without this file the buttons post the same form.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.quiz-form");
  if (!form) return;
  const status = form.querySelector("[data-save-status]");
  const autosave = form.hasAttribute("data-autosave");
  // Per attempt (its id is unique across learners) and per browser tab: sessionStorage is gone
  // when the tab closes, so nothing typed stays behind on a shared practice computer.
  const draftKey = form.dataset.draftKey;
  const stage = form.querySelector('input[name="stage"]').value;
  let timer = null;
  let saving = false;
  let again = false;
  let waitingSubmit = null;
  // The page gives every message in the interface's language ({name} is filled in here).
  const msg = (name, values = {}) =>
    (form.dataset[name] || "").replace(/\{(\w+)\}/g, (all, key) =>
      key in values ? values[key] : all,
    );

  const say = (text, link) => {
    if (!status) return;
    status.textContent = text;
    if (link) {
      const a = document.createElement(link.button ? "button" : "a");
      a.textContent = link.text;
      if (link.button) {
        a.type = "button";
        a.className = "link-button";
        a.addEventListener("click", link.onclick);
      } else {
        a.href = link.href;
      }
      status.append(" ", a);
    }
  };
  const now = () =>
    new Date().toLocaleTimeString(document.documentElement.lang || "nl", { hour: "2-digit", minute: "2-digit" });

  const schedule = (ms) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, ms);
  };

  // --- the draft: what the learner typed, until the server has it ---------------------------

  const fields = () =>
    Array.from(new FormData(form)).filter(([name]) => name !== "csrf_token");

  function storeDraft() {
    try {
      sessionStorage.setItem(draftKey, JSON.stringify({ stage, fields: fields() }));
    } catch (error) {
      // Storage full or switched off: the page itself still holds the answers.
    }
  }

  // The answers alone: the versions change with every save, the learner's answers do not.
  const answers = () => JSON.stringify(fields().filter(([name]) => !name.startsWith("version-")));

  function dropDraft(sent) {
    // Only when nothing changed since the request left; a later change still needs saving,
    // and its draft now builds on the versions this save returned.
    if (answers() === sent) sessionStorage.removeItem(draftKey);
    else storeDraft();
  }

  function readDraft() {
    try {
      const draft = JSON.parse(sessionStorage.getItem(draftKey) || "null");
      if (draft && draft.stage === stage && Array.isArray(draft.fields)) return draft;
    } catch (error) {
      // An unreadable draft is no draft.
    }
    sessionStorage.removeItem(draftKey);
    return null;
  }

  // Put a question's unsaved answer back, but only if nothing newer was saved since the draft
  // was made (the page's version is still the one the draft was based on).
  function restoreDraft() {
    const draft = readDraft();
    if (!draft) return false;
    const values = new Map();
    draft.fields.forEach(([name, value]) => {
      if (!values.has(name)) values.set(name, []);
      values.get(name).push(value);
    });
    let restored = false;
    form.querySelectorAll("fieldset[data-question]").forEach((fieldset) => {
      const qid = fieldset.dataset.question;
      const version = fieldset.querySelector("[data-version]");
      const based = values.get(`version-${qid}`);
      if (!based || based[0] !== version.value) return;
      fieldset.querySelectorAll("input, select, textarea").forEach((input) => {
        if (input.type === "hidden" && input.hasAttribute("data-version")) return;
        const wanted = values.get(input.name) || [];
        if (input.type === "radio" || input.type === "checkbox") {
          if (input.checked !== wanted.includes(input.value)) restored = true;
          input.checked = wanted.includes(input.value);
        } else if (wanted.length && input.value !== wanted[0]) {
          input.value = wanted[0];
          restored = true;
        }
      });
      const list = fieldset.querySelector("[data-ordering]");
      const order = values.get(`order-${qid}`);
      if (list && order) {
        const ids = order[0].split(",");
        ids.forEach((id) => {
          const item = list.querySelector(`li[data-option="${CSS.escape(id)}"]`);
          if (item) list.appendChild(item);
        });
        Array.from(list.children).forEach((li, index) => {
          li.querySelector("select").value = String(index + 1);
        });
      }
    });
    return restored;
  }

  // --- saving --------------------------------------------------------------------------------

  function showQuestionErrors(errors) {
    form.querySelectorAll("fieldset[data-question]").forEach((fieldset) => {
      const slot = fieldset.querySelector("[data-question-error]");
      const message = (errors || {})[fieldset.dataset.question];
      fieldset.classList.toggle("question-error", Boolean(message));
      if (slot) {
        slot.textContent = message || "";
        slot.hidden = !message;
      }
    });
  }

  function takeVersions(versions) {
    Object.entries(versions || {}).forEach(([qid, version]) => {
      const field = form.querySelector(`input[name="${CSS.escape(`version-${qid}`)}"]`);
      if (field) field.value = String(version);
    });
  }

  async function save() {
    // One request at a time: a change made while saving is sent right after.
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    const sent = answers();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      takeVersions(data.versions);
      showQuestionErrors(data.question_errors);
      if (response.ok && data.saved) {
        dropDraft(sent);
        say(msg("msgSaved", { time: now() }));
      } else if (response.status === 401 || data.session_ended || response.redirected) {
        say(msg("msgSessionEnded"), {
          href: data.login_url || "/account/inloggen",
          text: msg("msgSignIn"),
        });
      } else if (data.stale) {
        say(msg("msgNotSaved", { reasons: data.errors.join(" ") }), {
          button: true,
          text: msg("msgReload"),
          // The reloaded page shows the newest answers; the draft gives back only what was
          // typed here on answers that nobody changed meanwhile.
          onclick: () => window.location.reload(),
        });
      } else if (data.errors && data.errors.length) {
        say(msg("msgNotSaved", { reasons: data.errors.join(" ") }));
      } else {
        say(msg("msgRetry"));
        schedule(5000);
      }
    } catch (error) {
      say(msg("msgOffline"));
      schedule(5000);
    } finally {
      saving = false;
      if (waitingSubmit) {
        // The learner pressed a button while a save was under way: send the form now, with
        // the versions that save returned.
        const button = waitingSubmit;
        waitingSubmit = null;
        form.requestSubmit(button);
      } else if (again) {
        again = false;
        schedule(0);
      }
    }
  }

  // --- moving on: ask before open questions lock ---------------------------------------------

  function openQuestions() {
    return Array.from(form.querySelectorAll("fieldset[data-question]")).filter((fieldset) => {
      const type = fieldset.dataset.type;
      if (type === "single" || type === "multiple") {
        return !fieldset.querySelector('input[name^="answer-"]:checked');
      }
      if (type === "reflection") return !fieldset.querySelector("textarea").value.trim();
      return false; // an ordering always has an order
    }).length;
  }

  form.addEventListener("submit", (event) => {
    window.clearTimeout(timer);
    storeDraft();
    if (saving) {
      event.preventDefault();
      waitingSubmit = event.submitter;
      return;
    }
    const button = event.submitter;
    if (!button || !button.hasAttribute("data-lock-confirm")) return;
    const open = openQuestions();
    if (open === 0) return;
    const ok = window.confirm(
      msg(open === 1 ? "msgConfirmOne" : "msgConfirmOther", { count: String(open) }),
    );
    if (!ok) {
      event.preventDefault();
      return;
    }
    let confirmed = form.querySelector('input[name="bevestigd"]');
    if (!confirmed) {
      confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "bevestigd";
      form.appendChild(confirmed);
    }
    confirmed.value = "1";
  });

  // Ordering: choosing a place for an item moves it there and renumbers the others.
  form.querySelectorAll("[data-ordering]").forEach((list) => {
    const orderField = list.closest("fieldset").querySelector("[data-order-field]");
    list.addEventListener("change", (event) => {
      const select = event.target.closest("select");
      if (!select) return;
      const item = select.closest("li");
      const items = Array.from(list.children).filter((li) => li !== item);
      const place = Math.min(Math.max(parseInt(select.value, 10) - 1, 0), items.length);
      items.splice(place, 0, item);
      items.forEach((li, index) => {
        list.appendChild(li);
        li.querySelector("select").value = String(index + 1);
      });
      orderField.value = items.map((li) => li.dataset.option).join(",");
      // Moving the element can drop keyboard focus; keep it on the menu just used.
      select.focus();
    });
  });

  form.addEventListener("change", () => {
    storeDraft();
    if (autosave) schedule(300);
  });
  form.addEventListener("input", (event) => {
    if (event.target.tagName !== "TEXTAREA") return;
    storeDraft();
    if (autosave) schedule(1500);
  });

  if (restoreDraft()) {
    say(msg("msgRestored"));
    if (autosave) schedule(0);
  } else {
    // Everything the draft held is on the page already (or was replaced by newer answers).
    sessionStorage.removeItem(draftKey);
  }
});
