// "Wat nu?": shows the follow-up of each answer and builds the dossier note, in the browser only.
// Nothing the GP ticks or types leaves this page: no fetch, no form, no storage.
(() => {
  "use strict";

  const root = document.querySelector("[data-watnu]");
  if (!root) return;

  if ("serviceWorker" in navigator) {
    // Offline use after one visit; a refusal (private window, old browser) changes nothing else.
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(() => {});
  }

  const output = root.querySelector("[data-note-output]");
  const copyButton = root.querySelector("[data-copy-note]");
  const copyStatus = root.querySelector("[data-copy-status]");
  const acuteBox = root.querySelector("#acuut");

  const clean = (text) => text.trim().replace(/\s+/g, " ");

  function chosenLabels(field) {
    return Array.from(field.querySelectorAll("input:checked")).map((input) => input.dataset.label);
  }

  function answerOf(field) {
    if (field.dataset.field === "text") return clean(field.value);
    const groups = field.querySelectorAll("[data-group]");
    if (groups.length) {
      return Array.from(groups)
        .map((group) => [group.dataset.group, chosenLabels(group)])
        .filter(([, labels]) => labels.length)
        .map(([name, labels]) => `${name}: ${labels.join("; ")}`)
        .join(". ");
    }
    return chosenLabels(field).join(", ");
  }

  function noteLines(field) {
    const lines = [];
    const answer = answerOf(field);
    if (answer) lines.push(`- ${field.dataset.note}: ${answer}`);
    const explain = field.querySelector("[data-explain]");
    if (explain && clean(explain.value)) {
      if (!answer) lines.push(`- ${field.dataset.note}:`);
      lines.push(`  ${explain.dataset.explain}: ${clean(explain.value)}`);
    }
    return lines;
  }

  function buildNote() {
    const today = new Date().toLocaleDateString("nl-NL");
    const parts = [];
    root.querySelectorAll("[data-step]").forEach((step) => {
      const fields = step.querySelectorAll("[data-field]");
      const lines = Array.from(fields)
        .filter((field) => !field.parentElement.closest("[data-field]"))
        .flatMap(noteLines);
      if (lines.length) parts.push([step.dataset.step, ...lines].join("\n"));
    });
    if (!parts.length) return "Nog niets ingevuld. Je antwoorden hierboven verschijnen hier.";
    return [`Meldcode (KNMG), vermoeden van mensenhandel, ${today}`, ...parts].join("\n\n");
  }

  function showFollowUps() {
    root.querySelectorAll("[data-then]").forEach((then) => {
      const input = document.getElementById(then.dataset.then);
      then.hidden = !(input && input.checked);
    });
  }

  function update(event) {
    showFollowUps();
    output.value = buildNote();
    output.rows = Math.max(6, output.value.split("\n").length + 1);
    const target = event && event.target;
    if (target && target.matches("[data-acute]") && target.checked) {
      acuteBox.classList.add("is-alert");
      acuteBox.scrollIntoView({ block: "start" });
      acuteBox.focus({ preventScroll: true });
    } else if (!root.querySelector("[data-acute]:checked")) {
      acuteBox.classList.remove("is-alert");
    }
  }

  root.addEventListener("change", update);
  root.addEventListener("input", update);
  output.readOnly = true;
  update();

  if (copyButton && navigator.clipboard) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", () => {
      navigator.clipboard.writeText(output.value).then(
        // The page gives the words, in the reader's language (data-copied, data-copy-failed).
        () => { copyStatus.textContent = copyStatus.dataset.copied; },
        () => { output.select(); copyStatus.textContent = copyStatus.dataset.copyFailed; },
      );
    });
  }
})();
