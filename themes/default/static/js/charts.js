/* A chart a little wider than the screen (a phone) is drawn a little smaller so that all of it shows, its labels and
   its latest columns; one much wider keeps its size and scrolls sideways. Without this script every chart keeps its
   size. */
document.querySelectorAll(".chart-scroll > svg").forEach(function (chart) {
  var room = chart.parentElement.clientWidth, natural = chart.width.baseVal.value;
  if (natural > room && room / natural >= 0.7) {
    chart.style.width = room + "px";
    chart.style.height = "auto";
  }
});
