/* Search from any page: the header's search button (or "/", Ctrl+K, Cmd+K) opens a dialog with Pagefind's results
   as one types, and a link to the search page with every result and its filters. On the search page the keys put
   the cursor in its own box, as the button does. Without this script the header's plain search box goes to the search page. */
(function () {
  var button = document.querySelector("[data-search-open]");
  var box = document.getElementById("site-search-q");
  var dialog = null;
  var config = button ? JSON.parse(button.getAttribute("data-search")) : null;
  if (button) button.addEventListener("click", function () {
    var own = document.querySelector("#search .pagefind-ui__search-input");  // the search page's own box
    if (own) { own.focus(); own.select(); } else { open(""); }
  });

  function load(config, done) {
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = config.bundle + "pagefind-ui.css";
    document.head.appendChild(style);
    if (window.PagefindUI) return done();
    var script = document.createElement("script");
    script.src = config.bundle + "pagefind-ui.js";
    script.onload = done;
    document.head.appendChild(script);
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "search-dialog";
    dialog.setAttribute("aria-labelledby", "search-dialog-title");
    dialog.innerHTML = '<div class="search-dialog-head"><h2 id="search-dialog-title"></h2>' +
      '<button type="button" class="search-dialog-close"></button></div>' +
      '<div id="search-dialog-ui" class="search-ui"></div>' +
      '<p class="search-dialog-all"><a></a></p>';
    dialog.querySelector("h2").textContent = config.title;
    dialog.querySelector(".search-dialog-close").textContent = config.close;
    var all = dialog.querySelector(".search-dialog-all a");
    all.textContent = config.all;
    all.href = config.page;
    dialog.querySelector(".search-dialog-close").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    dialog.addEventListener("close", function () { button.focus(); });
    document.body.appendChild(dialog);
    load(config, function () {
      var ui = new PagefindUI({ element: "#search-dialog-ui", showSubResults: false, showImages: false,
                                resetStyles: false, showEmptyFilters: false, bundlePath: config.bundle,
                                baseUrl: config.base, mergeIndex: config.merge.map(function (path) {
                                  return { bundlePath: path }; }) });
      var input = dialog.querySelector("input");
      input.setAttribute("aria-labelledby", "search-dialog-title");
      input.addEventListener("input", function () {
        all.href = config.page + (input.value ? "?q=" + encodeURIComponent(input.value) : "");
      });
      if (dialog.open) input.focus();
      if (dialog.dataset.query) ui.triggerSearch(dialog.dataset.query);
    });
  }

  function open(query) {
    if (!dialog) build();
    dialog.dataset.query = query;
    dialog.showModal();
    var input = dialog.querySelector("input");
    if (input) { input.focus(); input.select(); }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    var slash = event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
    var k = (event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey);
    if (!slash && !k) return;
    var own = document.querySelector("#search .pagefind-ui__search-input");
    if (own) { event.preventDefault(); own.focus(); own.select(); return; }
    if (button && button.offsetParent) { event.preventDefault(); if (!dialog || !dialog.open) open(""); return; }
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });
})();
