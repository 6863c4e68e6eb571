// The progress page of a job in the task queue: asks where it stands every 1.5 s and says it (the
// sentence is in a live region, read out by screen readers); once the job is finished, the page is
// shown again with its result and its links.
"use strict";
(function () {
  const page = document.querySelector(".job[data-status-url]");
  const url = page && page.dataset.statusUrl;
  if (!url) return;
  const said = page.querySelector(".job-said");
  async function ask() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const job = await response.json();
        if (job.finished) {
          window.location.reload();
          return;
        }
        said.textContent = job.said;
      }
    } catch (error) {
      // The server did not answer this time (a restart, the network): ask again.
    }
    window.setTimeout(ask, 1500);
  }
  window.setTimeout(ask, 1500);
})();
