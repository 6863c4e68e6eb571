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

// The admin's autocomplete fields (select2) show a box of their own in place of the <select>: the box and
// the text it shows are given the select's name for assistive technology (its aria-label, or its label's
// text), having none when nothing is chosen. Select2 makes its boxes after the page is read, and again
// for every row added: each is named as it appears.
(function () {
  function name(select) {
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    return select.getAttribute("aria-label") || (label ? label.textContent.replace(/[:：]\s*$/, "").trim() : "");
  }

  function nameBoxes() {
    for (const select of document.querySelectorAll("select.admin-autocomplete")) {
      const text = name(select);
      if (!text) continue;
      for (const box of select.parentElement.querySelectorAll(".select2-selection[role], .select2-selection__rendered[role]")) {
        if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", text);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    nameBoxes();
    new MutationObserver(nameBoxes).observe(document.body, { childList: true, subtree: true });
  });
})();
