// Study time: while a page with [data-heartbeat-url] is open, visible and in use, tell the
// server every minute that the learner is still there. The server keeps one clock per learner
// and counts the real time between signs of life from any tab, capped, so this file can only
// make honest study count; it cannot add time that did not pass, nor multiply it over tabs.
// Any page can take part: a lesson sends kind "lesson", its slug as page.
(() => {
  "use strict";
  const page = document.querySelector("[data-heartbeat-url]");
  if (!page || !window.fetch) return;

  const { heartbeatUrl: url, heartbeatKind: kind, heartbeatPage: slug, csrfToken: token } =
    page.dataset;
  const INTERVAL_MS = 60 * 1000;
  // A page left open without any scrolling, typing or touching is not being read.
  const IDLE_AFTER_MS = 10 * 60 * 1000;
  let lastInput = Date.now();
  let timer = null;
  // The next beat (re)starts the clock: the time before it was spent elsewhere or idle.
  let restart = true;

  function beat() {
    if (Date.now() - lastInput > IDLE_AFTER_MS) {
      restart = true;
      return;
    }
    const body = new URLSearchParams({ kind, page: slug });
    if (restart) body.set("start", "1");
    restart = false;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
      body,
      keepalive: true,
    }).catch(() => {
      // Offline or logged out: this minute is lost, the next beat starts the clock again.
      restart = true;
    });
  }

  function start() {
    if (timer === null) timer = window.setInterval(beat, INTERVAL_MS);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  ["scroll", "keydown", "pointerdown", "pointermove", "touchstart", "wheel"].forEach((name) => {
    window.addEventListener(name, () => { lastInput = Date.now(); }, { passive: true });
  });

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      lastInput = Date.now();
      restart = true;
      beat();
      start();
    } else {
      // Count the reading up to the moment the learner switched away, then pause.
      beat();
      stop();
    }
  });

  if (document.visibilityState === "visible") {
    beat();
    start();
  }
})();
