/* Filters a table by the form before it: each control's name is a data- attribute of the rows.
   A select keeps rows whose attribute holds its value (space-separated values allowed); a checkbox keeps rows
   whose attribute is "yes". Without JavaScript the form stays hidden and the whole table shows. */
(function () {
  document.querySelectorAll("form[data-filters]").forEach(function (form) {
    var table = document.getElementById(form.getAttribute("data-filters"));
    var status = form.querySelector("[role=status]");
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var keep = Array.prototype.every.call(form.elements, function (control) {
          if (!control.name) return true;
          var value = (row.getAttribute("data-" + control.name) || "").split(" ");
          if (control.type === "checkbox") return !control.checked || value.indexOf("yes") !== -1;
          return !control.value || value.indexOf(control.value) !== -1;
        });
        row.hidden = !keep;
        if (keep) shown += 1;
      });
      if (status) status.textContent = shown + " of " + rows.length + " shown";
    }
    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  });
})();
