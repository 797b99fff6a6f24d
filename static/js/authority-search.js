// Turns the city-or-region <select> into a searchable box (a WAI-ARIA combobox) that keeps
// the <select>'s label, invalid state and error text. Without JavaScript the plain <select>
// still works.
document.querySelectorAll("select[data-searchable]").forEach(function (select) {
  var box = new TomSelect(select, {
    maxOptions: null,
    allowEmptyOption: true,
    searchField: ["text"],
    diacritics: true,
    // Filter on every key, not 300 ms later: a late refresh reopens the list and pulls the
    // focus back into the box after the person has chosen and moved on to the next field.
    refreshThrottle: 0,
  });
  var input = box.focus_node;
  ["aria-invalid", "aria-describedby"].forEach(function (name) {
    if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
  });
  // Tom Select names its input after the label; the <select> it hides leaves the page's
  // accessibility tree, so that a screen reader meets one box, named.
  select.setAttribute("aria-hidden", "true");
});
