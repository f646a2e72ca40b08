/* The colour scheme button: cycles auto (the system's setting), light and dark, and remembers the choice in this
   browser. The choice is applied before the page is drawn by the few lines in each page's <head>, so there is no
   flash of the other scheme; without JavaScript the page follows the system's setting. */
(function () {
  var KEY = "failsite-scheme", ORDER = ["auto", "light", "dark"];
  function current() {
    try { var saved = localStorage.getItem(KEY); } catch (e) { return "auto"; }
    return ORDER.indexOf(saved) > 0 ? saved : "auto";
  }
  function apply(scheme, button) {
    if (scheme === "auto") { document.documentElement.removeAttribute("data-scheme"); }
    else { document.documentElement.setAttribute("data-scheme", scheme); }
    if (button) {
      var label = button.getAttribute("data-label-" + scheme) || scheme;
      button.querySelector(".scheme-name").textContent = label;
      button.setAttribute("aria-label", button.getAttribute("data-label") + ": " + label);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-scheme-toggle]");
    if (!button) return;
    button.hidden = false;
    apply(current(), button);
    button.addEventListener("click", function () {
      var next = ORDER[(ORDER.indexOf(current()) + 1) % ORDER.length];
      try { if (next === "auto") { localStorage.removeItem(KEY); } else { localStorage.setItem(KEY, next); } }
      catch (e) { /* storage refused: the choice lasts for this page */ }
      apply(next, button);
    });
  });
})();
