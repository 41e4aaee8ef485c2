// Quiz page: save answers as the learner goes, and move ordering items when a place is chosen.
// Progressive enhancement only: without this file the buttons post the same form.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.quiz-form");
  if (!form) return;
  const status = form.querySelector("[data-save-status]");
  const autosave = form.hasAttribute("data-autosave");
  let timer = null;
  let saving = false;
  let again = false;

  const say = (text) => {
    if (status) status.textContent = text;
  };
  const now = () =>
    new Date().toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" });

  const schedule = (ms) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, ms);
  };

  async function save() {
    // One request at a time: a change made while saving is sent right after.
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok && data.saved) {
        say(`Opgeslagen om ${now()}.`);
      } else if (data.errors && data.errors.length) {
        say(`Niet opgeslagen: ${data.errors.join(" ")}`);
      } else {
        say("Niet opgeslagen. Laad de pagina opnieuw; wat al bewaard was, blijft staan.");
      }
    } catch (error) {
      say("Niet opgeslagen: er is geen verbinding. Je antwoorden staan nog op deze pagina; we proberen het zo opnieuw.");
      schedule(5000);
    } finally {
      saving = false;
      if (again) {
        again = false;
        schedule(0);
      }
    }
  }

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

  if (!autosave) return;
  form.addEventListener("change", () => schedule(300));
  form.addEventListener("input", (event) => {
    if (event.target.tagName === "TEXTAREA") schedule(1500);
  });
  form.addEventListener("submit", () => window.clearTimeout(timer));
});
