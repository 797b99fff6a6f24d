// Shows, next to the delegation form, how many places the chosen city or region has left.
(function () {
  var select = document.getElementById("id_authority");
  var output = document.getElementById("authority-places");
  if (!select || !output) return;
  function update() {
    if (!select.value) { output.textContent = ""; return; }
    var url = output.dataset.urlTemplate.replace("/0/", "/" + encodeURIComponent(select.value) + "/");
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { output.textContent = ""; return; }
        output.textContent = data.places_left === null
          ? output.dataset.textUnlimited
          : output.dataset.textLeft.replace("%s", data.places_left);
      });
  }
  select.addEventListener("change", update);
  update();
})();
