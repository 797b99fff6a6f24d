// The delegation form grows a row at a time, up to the places the chosen city or region has
// left. Without JavaScript the server's spare rows stay.
(function () {
  var rows = document.getElementById("members");
  var template = document.getElementById("member-template");
  var button = document.getElementById("add-member");
  if (!rows || !template || !button) return;
  var total = document.getElementById("id_" + rows.dataset.prefix + "-TOTAL_FORMS");
  var cap = Number(rows.dataset.max);

  // Nothing typed, ticked or chosen: a tick box's or a radio button's value is its choice,
  // not an answer, so they count only when checked.
  function isBlank(row) {
    return Array.prototype.every.call(
      row.querySelectorAll("input:not([type=hidden])"),
      function (input) {
        if (input.type === "checkbox" || input.type === "radio") return !input.checked;
        return !input.value.trim();
      }
    ) && !row.querySelector(".is-invalid");
  }

  function count() { return rows.querySelectorAll("[data-member-row]").length; }

  function refresh() {
    button.disabled = count() >= cap;
  }

  // Spare rows at the end go: the button brings them back one at a time.
  var all = rows.querySelectorAll("[data-member-row]");
  for (var index = all.length - 1; index > 0 && isBlank(all[index]); index--) {
    all[index].remove();
  }
  total.value = count();

  button.addEventListener("click", function () {
    if (count() >= cap) return;
    var number = count();
    var html = template.innerHTML
      .replace(/__prefix__/g, String(number))
      .replace(/__number__/g, String(number + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = count();
    refresh();
    rows.lastElementChild.querySelector("input").focus();
  });

  var places = document.getElementById("authority-places");
  if (places) {
    places.addEventListener("places", function (event) {
      var left = event.detail;
      cap = left === null ? Number(rows.dataset.max) : Math.max(left, 1);
      refresh();
    });
  }

  button.hidden = false;
  refresh();
})();
