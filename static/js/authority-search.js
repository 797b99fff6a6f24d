// Turns the city-or-region <select> into a searchable box. Without JavaScript the plain
// <select> still works.
document.querySelectorAll("select[data-searchable]").forEach(function (select) {
  new TomSelect(select, {
    maxOptions: null,
    allowEmptyOption: true,
    searchField: ["text"],
    diacritics: true,
  });
});
