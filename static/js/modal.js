// Confirmation modals: opens a <dialog> that htmx placed in #modal-host with showModal() (focus
// moves inside; Escape closes it), closes it on Cancel/Close, and keeps a typed-confirmation
// button disabled until the field matches exactly. Closing never acts.
(function () {
  "use strict";

  function openDialogs(root) {
    for (const dialog of root.querySelectorAll("dialog.modal:not([open])")) {
      dialog.addEventListener("close", function () {
        dialog.remove();
      });
      dialog.showModal();
    }
    syncTypedConfirmations(root);
  }

  function syncTypedConfirmations(root) {
    for (const button of root.querySelectorAll("[data-needs-match]")) {
      const input = document.getElementById(button.dataset.needsMatch);
      if (input) button.disabled = input.value !== input.dataset.mustMatch;
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-must-match]")) syncTypedConfirmations(document);
  });

  document.addEventListener("click", function (event) {
    const closer = event.target.closest("dialog [data-close]");
    if (!closer) return;
    event.preventDefault();
    closer.closest("dialog").close();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    openDialogs(event.detail.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    syncTypedConfirmations(document);
  });
})();
