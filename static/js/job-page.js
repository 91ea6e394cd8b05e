// Keeps a job's own page current: when the "jobs" channel says this job changed, re-fetch the
// page's job section; when it was deleted, say so.
(function () {
  "use strict";
  const section = document.getElementById("job-live");
  if (!section || !window.htmx) return;
  const jobId = section.dataset.jobId;

  document.addEventListener("live:message", function (event) {
    const data = event.detail.data;
    if (event.detail.channel !== "jobs" || data.jobId !== jobId) return;
    if (data.op === "delete") {
      section.querySelector("[data-deleted]").hidden = false;
      return;
    }
    window.htmx.ajax("GET", window.location.pathname, { target: "#job-live", swap: "outerHTML" });
  });
})();
