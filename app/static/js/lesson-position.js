// The reading position in a lesson: how far the learner has read, and which section of the
// table of contents they are in (marked with aria-current). Nothing is sent anywhere.
(() => {
  "use strict";
  const toc = document.querySelector(".lesson-toc");
  const body = document.querySelector(".lesson-body");
  const position = document.querySelector("[data-reading-position]");
  if (!toc || !body || !position) return;

  const bar = position.querySelector("progress");
  const label = position.querySelector("[data-reading-percent]");
  const links = [...toc.querySelectorAll('a[href^="#"]')];
  const headings = links
    .map((link) => document.getElementById(decodeURIComponent(link.hash.slice(1))))
    .filter(Boolean);
  position.hidden = false;

  function update() {
    const rect = body.getBoundingClientRect();
    const total = rect.height - window.innerHeight;
    const read = total > 0 ? Math.min(Math.max(-rect.top / total, 0), 1) : 1;
    const percent = Math.round(read * 100);
    bar.value = percent;
    label.textContent = `${percent}%`;
    // The current section: the last heading that has scrolled past the top third.
    let current = -1;
    headings.forEach((heading, index) => {
      if (heading.getBoundingClientRect().top < window.innerHeight / 3) current = index;
    });
    links.forEach((link, index) => {
      if (index === current) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    });
  }

  let queued = false;
  window.addEventListener(
    "scroll",
    () => {
      if (queued) return;
      queued = true;
      window.requestAnimationFrame(() => {
        queued = false;
        update();
      });
    },
    { passive: true },
  );
  window.addEventListener("resize", update);
  update();
})();
