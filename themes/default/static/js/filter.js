/* Filters a table by the form before it: each control's name is a data- attribute of the rows.
   A select keeps rows whose attribute holds its value (space-separated values allowed); a checkbox keeps rows
   whose attribute is "yes". A table split into pages names them all (data-pages, and its own number in
   data-page): once a filter is set, the other pages' rows are fetched and filtered too, in page order, and without
   a filter the page shows its own rows again. The form says how many rows are shown in the site's language
   (data-count, data-count-all, data-loading). Without JavaScript the form stays hidden and the whole table shows. */
(function () {
  document.querySelectorAll("form[data-filters]").forEach(function (form) {
    var table = document.getElementById(form.getAttribute("data-filters"));
    var status = form.querySelector("[role=status]");
    if (!table) return;
    var body = table.tBodies[0];
    var own = Array.prototype.slice.call(body.rows);
    var rows = own;  // the rows a filter looks at: this page's, then every page's once they are here
    var pages = (table.getAttribute("data-pages") || "").split(" ").filter(Boolean);
    var here = parseInt(table.getAttribute("data-page") || "1", 10) - 1;
    var loading = null;

    function say(name, fallback, shown, total) {
      if (status) status.textContent = (form.getAttribute(name) || fallback)
        .replace("{shown}", shown).replace("{total}", total);
    }
    function filtering() {
      return Array.prototype.some.call(form.elements, function (control) {
        return control.name && (control.type === "checkbox" ? control.checked : control.value);
      });
    }
    function everyPage() {  // fetched once; a page that cannot be fetched leaves the others
      if (!loading) {
        say("data-loading", "Looking through every page…", 0, 0);
        loading = Promise.all(pages.map(function (url, index) {
          if (index === here) return null;
          return fetch(url).then(function (response) {
            return response.ok ? response.text() : "";
          }).then(function (text) {
            return new DOMParser().parseFromString(text, "text/html");
          }).catch(function () { return null; });
        })).then(function (documents) {
          var all = [];
          documents.forEach(function (page, index) {
            if (index === here) { all = all.concat(own); return; }
            var other = page && page.getElementById(table.id);
            if (!other || !other.tBodies[0]) return;
            Array.prototype.forEach.call(other.tBodies[0].rows, function (row) {
              var copy = document.importNode(row, true);
              copy.setAttribute("data-elsewhere", "");
              all.push(copy);
            });
          });
          all.forEach(function (row) { body.appendChild(row); });  // in page order, this page's rows among them
          rows = all;
        });
      }
      return loading;
    }
    function filter() {
      var active = filtering(), shown = 0, total = 0;
      rows.forEach(function (row) {
        if (!active && row.hasAttribute("data-elsewhere")) { row.hidden = true; return; }
        total += 1;
        var keep = Array.prototype.every.call(form.elements, function (control) {
          if (!control.name) return true;
          var value = (row.getAttribute("data-" + control.name) || "").split(" ");
          if (control.type === "checkbox") return !control.checked || value.indexOf("yes") !== -1;
          return !control.value || value.indexOf(control.value) !== -1;
        });
        row.hidden = !keep;
        if (keep) shown += 1;
      });
      if (active && rows !== own) say("data-count-all", "{shown} of {total} shown, from every page", shown, total);
      else say("data-count", "{shown} of {total} shown", shown, total);
    }
    function apply() {
      if (pages.length > 1 && filtering()) everyPage().then(filter);
      else filter();
    }
    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  });
})();
