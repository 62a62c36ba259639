// Filters and search for the promise table. Without JavaScript the whole table shows, and the
// "Show only" links in <noscript> filter it with CSS alone.
(function () {
  "use strict";
  var box = document.getElementById("filters");
  var table = document.getElementById("promises");
  if (!box || !table) { return; }
  box.hidden = false;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-filter]"));
  var search = document.getElementById("f-search");
  var shown = document.getElementById("shown");

  function matches(row, name, value) {
    if (!value) { return true; }
    if (name === "topic") { return row.getAttribute("data-topics").split("\n").indexOf(value) >= 0; }
    return row.getAttribute("data-" + name) === value;
  }

  function apply() {
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var ok = selects.every(function (s) { return matches(row, s.getAttribute("data-filter"), s.value); })
        && words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " promises shown";
    remember();
  }

  // The filters live in the address, so that a filtered view can be bookmarked and shared.
  function remember() {
    var params = new URLSearchParams();
    selects.forEach(function (s) { if (s.value) { params.set(s.getAttribute("data-filter"), s.value); } });
    if (search.value) { params.set("q", search.value); }
    var query = params.toString();
    try { history.replaceState(null, "", query ? "?" + query : location.pathname); } catch (e) { /* file:// */ }
  }

  var given = new URLSearchParams(location.search);
  selects.forEach(function (s) {
    var value = given.get(s.getAttribute("data-filter"));
    if (value !== null && Array.prototype.some.call(s.options, function (o) { return o.value === value; })) { s.value = value; }
    s.addEventListener("change", apply);
  });
  search.value = given.get("q") || "";
  search.addEventListener("input", apply);
  apply();
}());
