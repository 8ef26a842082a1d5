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
  // Per record its title's and text's words (folded), made once when the page loads.
  var prepared = index.map(function (rec, order) {
    return { rec: rec, order: order, title: tokens(rec.t), body: tokens(rec.w || "") };
  });
  // How well one word list matches a term: a whole word counts more than a word's start.
  function hits(words, term) {
    var whole = 0, start = 0;
    for (var i = 0; i < words.length; i++) {
      if (words[i] === term) { whole++; } else if (words[i].lastIndexOf(term, 0) === 0) { start++; }
    }
    return { whole: whole, start: start };
  }
  function phrase(words, terms) {
    for (var i = 0; i + terms.length <= words.length; i++) {
      var all = true;
      for (var j = 0; j < terms.length && all; j++) {
        all = j === terms.length - 1 ? words[i + j].lastIndexOf(terms[j], 0) === 0 : words[i + j] === terms[j];
      }
      if (all) { return true; }
    }
    return false;
  }
  // 0: not every term is there; else higher is better: in the title before in the text,
  // whole words before word starts, the terms side by side before apart, more often before once.
  function score(item, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var inTitle = hits(item.title, terms[i]), inBody = hits(item.body, terms[i]);
      if (!inTitle.whole && !inTitle.start && !inBody.whole && !inBody.start) { return 0; }
      total += 25 * Math.min(inTitle.whole, 1) + 10 * Math.min(inTitle.start, 1)
        + 3 * Math.min(inBody.whole, 5) + Math.min(inBody.start, 5);
    }
    if (terms.length > 1) {
      if (phrase(item.title, terms)) { total += 20; } else if (phrase(item.body, terms)) { total += 10; }
    }
    return total;
  }
  // The folded text with, per folded character, where it came from in the original.
  function foldMap(text) {
    var folded = "", from = [];
    for (var i = 0; i < text.length; i++) {
      var part = fold(text[i]);
      for (var j = 0; j < part.length; j++) { folded += part[j]; from.push(i); }
    }
    from.push(text.length);
    return { text: folded, from: from };
  }
  // Where in ``text`` a term starts a word: [start, end] pairs in the original text.
  function spans(text, terms) {
    var map = foldMap(text), found = [];
    terms.forEach(function (term) {
      var at = map.text.indexOf(term);
      while (at !== -1) {
        if (at === 0 || /[^a-z0-9]/.test(map.text[at - 1])) {
          found.push([map.from[at], map.from[at + term.length]]);
        }
        at = map.text.indexOf(term, at + 1);
      }
    });
    found.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    found.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) { last[1] = Math.max(last[1], s[1]); } else { merged.push(s.slice()); }
    });
    return merged;
  }
  var BEFORE = 60, PASSAGE = 220;
  // The passage around the first match in the text (whole words, "…" where cut), or null.
  function passage(text, terms) {
    var found = spans(text, terms);
    if (!found.length) { return null; }
    var start = Math.max(0, found[0][0] - BEFORE);
    if (start > 0) { var space = text.indexOf(" ", start); start = space !== -1 && space < found[0][0] ? space + 1 : start; }
    var end = Math.min(text.length, start + PASSAGE);
    if (end < text.length) { var back = text.lastIndexOf(" ", end); end = back > found[0][1] ? back : end; }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }
  // ``text`` into ``node`` with every match of a term in <mark> (text nodes only: never HTML).
  function marked(node, text, terms) {
    var at = 0;
    spans(text, terms).forEach(function (s) {
      if (s[0] > at) { node.appendChild(document.createTextNode(text.slice(at, s[0]))); }
      node.appendChild(el("mark", null, text.slice(s[0], s[1])));
      at = s[1];
    });
    if (at < text.length) { node.appendChild(document.createTextNode(text.slice(at))); }
    return node;
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
    var all = [];
    prepared.forEach(function (item) {
      var points = score(item, terms);
      if (points > 0) { all.push({ item: item, points: points }); }
    });
    // Best match first; equally good ones in the index's order (newest first).
    all.sort(function (a, b) { return b.points - a.points || a.item.order - b.item.order; });
    var found = all.slice(0, SHOWN);
    status.textContent = message(all.length, found.length);
    found.forEach(function (hit) {
      var rec = hit.item.rec;
      var li = el("li", "entry");
      var h = el("h2", "entry-title");
      var a = marked(el("a"), rec.t, terms);
      a.href = "../" + rec.u;
      h.appendChild(a);
      li.appendChild(h);
      li.appendChild(el("p", "meta", [rec.d, rec.a, rec.c].filter(Boolean).join(" · ")));
      // The passage that matched, else (a match in the title only) the bulletin's start.
      li.appendChild(marked(el("p", "excerpt"), passage(rec.w || "", terms) || rec.e, terms));
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
