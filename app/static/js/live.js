// Live sessions: follow the EKC. Poll a tiny status address every second with the version we
// show (If-None-Match); a 304 means nothing changed. On a change, fetch this page again and swap
// in its live regions. Without this file the page still works with its "Vernieuwen" link.
(() => {
  const root = document.querySelector("[data-live-status]");
  if (!root) return;
  const statusUrl = root.dataset.liveStatus;
  let etag = root.dataset.liveEtag;
  let busy = false;
  document.querySelectorAll("[data-live-manual]").forEach((el) => { el.hidden = true; });

  async function refresh() {
    const response = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    document.querySelectorAll("[data-live-region]").forEach((region) => {
      const fresh = page.getElementById(region.id);
      if (fresh) region.replaceWith(document.importNode(fresh, true));
    });
    const announce = document.querySelector("[data-live-announce]");
    const freshAnnounce = page.querySelector("[data-live-announce]");
    if (announce && freshAnnounce && announce.textContent !== freshAnnounce.textContent) {
      announce.textContent = freshAnnounce.textContent;
    }
  }

  async function poll() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(statusUrl, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "If-None-Match": etag, Accept: "application/json" },
      });
      if (response.status === 200) {
        etag = response.headers.get("ETag") || etag;
        await refresh();
      }
    } catch (error) {
      // Network hiccup (a phone between cells): try again on the next tick.
    } finally {
      busy = false;
    }
  }

  window.setInterval(poll, 1000);
  document.addEventListener("visibilitychange", poll);
})();
