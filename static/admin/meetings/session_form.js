"use strict";
// The session page of the admin (SessionAdmin.Media), helping the secretariat enter a session in one pass:
// - each resolution's and each document's «agenda item» lists the agenda as it stands on the page, items
//   not saved yet included, numbered as saving will number them (meetings.admin.agenda_choice.planned_agenda
//   says the same), and a choice follows its item when the agenda is renumbered;
// - agenda items and resolutions move up and down, which swaps their numbers (the server saves the
//   swap: NumberedInSession.move_aside).
// The labels come from the page (#session-form-labels), in the admin's language.
(function () {
  const AGENDA = "#agenda_items-group";
  const RESOLUTION_ITEM =
    "select[name^='resolutions-'][name$='-agenda_item'], select[name^='documents-'][name$='-agenda_item']";

  function rows(group) {
    return [...document.querySelectorAll(`${group} .inline-related:not(.empty-form)`)].filter(
      (row) => !row.querySelector("input[name$='-DELETE']:checked") && numberInput(row),
    );
  }

  function numberInput(row) {
    return row.querySelector("input[name$='-position'], input[name$='-sequence']");
  }

  // The numbers saving will give: typed ones kept; an empty one takes the next after the highest, saved
  // rows first, then the new ones, in the page's order.
  function planned(group) {
    const all = rows(group);
    let next = Math.max(0, ...all.map((row) => parseInt(numberInput(row).value, 10) || 0));
    const saved = all.filter((row) => row.classList.contains("has_original"));
    const added = all.filter((row) => !row.classList.contains("has_original"));
    return [...saved, ...added]
      .map((row) => ({ row, number: parseInt(numberInput(row).value, 10) || ++next }))
      .sort((a, b) => a.number - b.number);
  }

  // Which agenda row each resolution's select names: kept across renumbering.
  const named = new WeakMap();

  function refreshAgendaChoices() {
    const items = planned(AGENDA).map((item) => ({
      ...item,
      title: item.row.querySelector("input[name$='-title']").value,
    }));
    for (const select of document.querySelectorAll(RESOLUTION_ITEM)) {
      if (!named.has(select)) {
        const match = items.find((item) => String(item.number) === select.value);
        named.set(select, match ? match.row : null);
      }
      const row = named.get(select);
      const empty = select.options[0] && select.options[0].value === "" ? select.options[0].text : "---------";
      select.replaceChildren(new Option(empty, ""));
      for (const item of items) {
        select.append(new Option(`${item.number}. ${item.title}`, String(item.number)));
      }
      const chosen = items.find((item) => item.row === row);
      select.value = chosen ? String(chosen.number) : "";
    }
  }

  function rememberChoice(event) {
    const select = event.target;
    if (!select.matches(RESOLUTION_ITEM)) return;
    const chosen = planned(AGENDA).find((item) => String(item.number) === select.value);
    named.set(select, chosen ? chosen.row : null);
  }

  // Moving a row swaps its number with its neighbour's, then shows it in its new place.
  function move(row, group, step) {
    const order = planned(group);
    const at = order.findIndex((item) => item.row === row);
    const other = order[at + step];
    if (at === -1 || other === undefined) return;
    const here = order[at];
    numberInput(here.row).value = other.number;
    numberInput(other.row).value = here.number;
    if (step < 0) other.row.before(here.row);
    else other.row.after(here.row);
    numberInput(here.row).dispatchEvent(new Event("input", { bubbles: true }));
    row.querySelector(step < 0 ? ".move-up" : ".move-down").focus();
  }

  function addMoveButtons(group) {
    const labels = document.getElementById("session-form-labels");
    if (!labels) return;
    for (const row of rows(group)) {
      const header = row.querySelector("h3");
      // A read-only row (signed minutes) has no number to change: nothing to move.
      if (!header || !numberInput(row) || header.querySelector(".move-up")) continue;
      for (const [step, name, text] of [
        [-1, "move-up", "▲"],
        [1, "move-down", "▼"],
      ]) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = `reorder ${name}`;
        button.textContent = text;
        button.setAttribute("aria-label", labels.dataset[name === "move-up" ? "moveUp" : "moveDown"]);
        button.title = button.getAttribute("aria-label");
        button.addEventListener("click", () => move(row, group, step));
        header.append(button);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!document.querySelector(AGENDA)) return;
    const groups = [AGENDA, "#resolutions-group"];
    groups.forEach(addMoveButtons);
    refreshAgendaChoices();
    document.querySelector(AGENDA).addEventListener("input", refreshAgendaChoices);
    document.querySelector(AGENDA).addEventListener("change", refreshAgendaChoices);
    document.addEventListener("change", rememberChoice);
    document.addEventListener("formset:added", () => {
      groups.forEach(addMoveButtons);
      refreshAgendaChoices();
    });
    document.addEventListener("formset:removed", refreshAgendaChoices);
  });
})();
