// Inline progress of a command: subscribes the page's EventSource to the command's channel
// from its first event and renders each CommandEvent (phase, log lines, remediation).
(function () {
  "use strict";
  const labels = { queued: "Queued", running: "Running", success: "Success", error: "Error" };

  function watch(root) {
    if (!window.Live) return;
    for (const box of root.querySelectorAll(".command-progress[data-channel]:not([data-watching])")) {
      box.dataset.watching = "1";
      box.dataset.fresh = "1"; // events replay from the start: rebuild the log from them
      window.Live.subscribe(box.dataset.channel, 0);
    }
  }

  function render(box, event) {
    if (box.dataset.fresh) {
      box.querySelector("[data-log]").replaceChildren();
      delete box.dataset.fresh;
    }
    box.dataset.phase = event.phase;
    const label = box.querySelector("[data-phase-label]");
    label.textContent = labels[event.phase] || event.phase;
    label.className = "phase phase-" + event.phase;
    const position = box.querySelector("[data-queue-position]");
    if (event.phase === "queued" && event.queuePosition) {
      position.textContent = "position " + event.queuePosition + " in the queue";
      position.hidden = false;
    } else {
      position.hidden = true;
    }
    const log = box.querySelector("[data-log]");
    for (const line of event.logs || []) {
      const item = document.createElement("li");
      item.textContent = line;
      log.append(item);
    }
    if (event.remediation) {
      const remedy = box.querySelector("[data-remediation]");
      remedy.textContent = event.remediation;
      remedy.hidden = false;
    }
    if (event.phase === "success" || event.phase === "error") {
      box.querySelector("[data-end]").hidden = false;
    }
  }

  document.addEventListener("live:message", function (event) {
    const box = document.querySelector('.command-progress[data-channel="' + event.detail.channel + '"]');
    if (box) render(box, event.detail.data);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    watch(event.detail.target.parentNode || document);
  });
  document.addEventListener("DOMContentLoaded", function () {
    watch(document);
  });
})();
