/* Keyboard shortcuts: "/" (or Ctrl+K, Cmd+K) puts the cursor in the search box from any page. Pages work without
   this script; it only adds the shortcut. */
document.addEventListener("keydown", function (event) {
  var target = event.target;
  var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  var slash = event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
  var k = (event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey);
  if (!slash && !k) return;
  var box = document.querySelector(".search-ui input[type=text], .pagefind-ui__search-input") ||
    document.getElementById("site-search-q");
  if (!box) return;
  event.preventDefault();
  box.focus();
  if (box.select) box.select();
});
