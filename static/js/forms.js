// The delegate forms: focus on the error summary after a failed submit, and a submit button
// that shows progress and cannot send the form twice.
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // A link to a field that a searchable box hides moves focus to the box itself.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field && field.tomselect) {
        event.preventDefault();
        field.tomselect.focus();
      }
    });
  }

  function buttons(form) {
    return form.querySelectorAll("button[type=submit], input[type=submit]");
  }

  function restore(form) {
    delete form.dataset.sending;
    buttons(form).forEach(function (button) {
      if (button.dataset.label === undefined) return;
      button.disabled = false;
      button.removeAttribute("aria-busy");
      if (button.tagName === "INPUT") button.value = button.dataset.label;
      else button.textContent = button.dataset.label;
    });
  }

  document.querySelectorAll("form[data-sending-label]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "true";
      var label = form.dataset.sendingLabel;
      // Disabled once the browser has read the form, so that the button's own value is sent.
      window.setTimeout(function () {
        buttons(form).forEach(function (button) {
          button.dataset.label = button.tagName === "INPUT" ? button.value : button.textContent;
          button.disabled = true;
          button.setAttribute("aria-busy", "true");
          if (button.tagName === "INPUT") button.value = label;
          else button.textContent = label;
        });
      }, 0);
    });
  });

  // Back to a page the browser kept in memory: the form can be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending-label]").forEach(restore);
  });
})();
