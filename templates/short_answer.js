/* Short-answer matching rule, the twin of generator/bank/answers.py (see docs/bank-format.md).
   Defines window.shortAnswer = {normalize, matches}; tests/fixtures/short_answer_cases.json holds the shared cases. */
(function (root) {
  "use strict";
  var PARENS = /\([^()]*\)/g;
  var DROPPED = /[\s\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212_\u00b7\u318d\u2022'"`\u2018\u2019\u201c\u201d]+/g;
  var THOUSANDS = /(\d),(?=\d{3}(?!\d))/g;

  function normalize(text) {
    var flat = String(text).normalize("NFKC").toLowerCase().trim();
    var without = flat.replace(PARENS, "");
    if (without.replace(DROPPED, "").replace(/^\.+|\.+$/g, "") !== "") flat = without;
    flat = flat.replace(/[()]/g, "").replace(DROPPED, "").replace(THOUSANDS, "$1").replace(/^@+/, "");
    return flat.replace(/\.+$/, "");
  }

  function matches(given, accepted) {
    var wanted = normalize(given);
    return wanted !== "" && accepted.some(function (a) { return normalize(a) === wanted; });
  }

  root.shortAnswer = { normalize: normalize, matches: matches };
})(typeof window !== "undefined" ? window : this);
