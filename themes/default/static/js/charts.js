/* A chart over time that is wider than the screen (a phone) opens at its latest columns; the reader scrolls back
   for earlier ones. Without this script it opens at its first. */
document.querySelectorAll(".chart-scroll").forEach(function (box) {
  if (box.scrollWidth > box.clientWidth) box.scrollLeft = box.scrollWidth;
});
