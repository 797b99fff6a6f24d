// Says, under the city-or-region box, how many places the chosen authority has left, and
// what to do when it has none.
(function () {
  var select = document.getElementById("id_authority");
  var output = document.getElementById("authority-places");
  if (!select || !output) return;
  function say(text) {
    output.textContent = "";
    var address = output.dataset.contactEmail;
    var parts = text.split("%s");
    output.append(parts[0]);
    if (parts.length > 1) {
      var link = document.createElement("a");
      link.href = "mailto:" + address;
      link.textContent = address;
      output.append(link, parts.slice(1).join("%s"));
    }
  }
  function update() {
    if (!select.value) { output.textContent = ""; return; }
    var url = output.dataset.urlTemplate.replace("/0/", "/" + encodeURIComponent(select.value) + "/");
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { output.textContent = ""; return; }
        output.dispatchEvent(new CustomEvent("places", { detail: data.places_left }));
        if (data.places_left === null) say(output.dataset.textUnlimited);
        else if (data.places_left === 0 && output.dataset.textFull) say(output.dataset.textFull);
        else output.textContent = output.dataset.textLeft.replace("%s", data.places_left);
      });
  }
  select.addEventListener("change", update);
  update();
})();
