/* Offline search over the index that binsite builds (zoeken/index.js).
   No server, no third party: every query stays in the visitor's browser. */
(function () {
  "use strict";
  var index = window.BINSITE_INDEX || [];
  var form = document.querySelector(".search-form");
  var input = document.getElementById("zoekterm");
  var list = document.getElementById("zoek-resultaten");
  var status = document.getElementById("zoek-status");
  var texts = document.getElementById("zoek-teksten").dataset;
  if (!form || !input || !list) { return; }

  function fold(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }
  function tokens(text) {
    return fold(text).split(/[^a-z0-9]+/).filter(function (w) { return w.length > 0; });
  }
  var prepared = index.map(function (rec) {
    return { rec: rec, words: (" " + rec.w + " " + tokens(rec.t).join(" ") + " ") };
  });
  function matches(item, terms) {
    return terms.every(function (term) { return item.words.indexOf(" " + term) !== -1; });
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }
  var SHOWN = 100;
  // One sentence per count ("1 bericht gevonden." / "13 berichten gevonden."),
  // and a tip when nothing is found; {n} and {shown} come from the page's texts.
  function message(total, shown) {
    if (total === 0) { return texts.none + " " + texts.tip; }
    if (total === 1) { return texts.one; }
    var text = texts.many.replace("{n}", total.toLocaleString(document.documentElement.lang || "nl"));
    return shown < total ? text + " " + texts.capped.replace("{shown}", shown) : text;
  }
  function show(query) {
    var terms = tokens(query);
    list.textContent = "";
    if (terms.length === 0) { status.textContent = ""; return; }
    var all = prepared.filter(function (item) { return matches(item, terms); });
    var found = all.slice(0, SHOWN);
    status.textContent = message(all.length, found.length);
    found.forEach(function (item) {
      var rec = item.rec;
      var li = el("li", "entry");
      var h = el("h2", "entry-title");
      var a = el("a", null, rec.t);
      a.href = "../" + rec.u;
      h.appendChild(a);
      li.appendChild(h);
      li.appendChild(el("p", "meta", [rec.d, rec.a, rec.c].filter(Boolean).join(" · ")));
      li.appendChild(el("p", "excerpt", rec.e));
      list.appendChild(li);
    });
  }
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); show(input.value); }
  input.addEventListener("input", function () { show(input.value); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
  });
}());
