// Study time: while a lesson is open and visible, tell the server every minute that the
// learner is still reading. The server counts the real time between signs of life, capped,
// so this file can only make honest reading count; it cannot add time that did not pass.
(() => {
  "use strict";
  const lesson = document.querySelector("[data-heartbeat-url]");
  if (!lesson || !window.fetch) return;

  const url = lesson.dataset.heartbeatUrl;
  const token = lesson.dataset.csrfToken;
  const INTERVAL_MS = 60 * 1000;
  // A page left open without any scrolling, typing or touching is not being read.
  const IDLE_AFTER_MS = 10 * 60 * 1000;
  let lastInput = Date.now();
  let timer = null;

  function beat() {
    if (Date.now() - lastInput > IDLE_AFTER_MS) return;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
      keepalive: true,
    }).catch(() => {
      // Offline or logged out: the next page view records the time instead.
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
      start();
    } else {
      // Count the reading up to the moment the learner switched away, then pause.
      beat();
      stop();
    }
  });

  if (document.visibilityState === "visible") start();
})();
