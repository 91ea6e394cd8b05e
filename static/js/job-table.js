// Keeps the job table in step with the "jobs" channel: swaps a changed row, adds a new job
// on the first page when it matches the filter, removes deleted rows, and re-fetches the table
// when the stream says its history was reset.
(function () {
  "use strict";

  function rows() {
    return document.getElementById("job-rows");
  }

  function rowFromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function insertInOrder(tbody, row) {
    // Rows are newest first, and job IDs sort by creation time.
    const id = row.dataset.jobId;
    for (const other of tbody.querySelectorAll("tr[data-job-id]")) {
      if (other.dataset.jobId < id) {
        other.before(row);
        return true;
      }
    }
    if (tbody.dataset.lastPage === "1") {
      tbody.append(row);
      return true;
    }
    return false; // older than everything shown: it belongs on a later page
  }

  function apply(data) {
    const tbody = rows();
    if (!tbody) return;
    const existing = document.getElementById("job-row-" + data.jobId);
    if (data.op === "delete") {
      if (existing) existing.remove();
      return;
    }
    const wanted = tbody.dataset.filterStatus;
    const matches = !wanted || wanted === data.status;
    const row = rowFromHtml(data.html);
    if (existing) {
      if (matches) existing.replaceWith(row);
      else existing.remove();
    } else if (matches && !tbody.dataset.filterQuery && tbody.dataset.firstPage === "1") {
      if (!insertInOrder(tbody, row)) return;
      const empty = tbody.querySelector("tr.empty");
      if (empty) empty.remove();
    } else {
      return;
    }
    if (window.htmx) window.htmx.process(row);
  }

  document.addEventListener("live:message", function (event) {
    if (event.detail.channel === "jobs") apply(event.detail.data);
  });

  document.addEventListener("live:reset", function (event) {
    if (event.detail.channels.includes("jobs") && window.htmx && rows()) {
      window.htmx.ajax("GET", window.location.href, { target: "#job-table", swap: "outerHTML" });
    }
  });
})();
