"use strict";
// Every form of the admin that records something (a change form, the follow-up screen: form.warn-unsaved)
// asks before the page is left with changes not saved. A page shown again with errors holds what was
// typed and not saved yet: it asks from the start.
(function () {
  document.addEventListener("DOMContentLoaded", () => {
    const forms = document.querySelectorAll("#content-main form[id$='_form'], form.warn-unsaved");
    if (forms.length === 0) return;
    let unsaved = document.querySelector(".errornote") !== null;
    for (const form of forms) {
      form.addEventListener("input", () => {
        unsaved = true;
      });
      form.addEventListener("change", () => {
        unsaved = true;
      });
      form.addEventListener("submit", () => {
        unsaved = false;
      });
    }
    window.addEventListener("beforeunload", (event) => {
      if (unsaved) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });
})();
