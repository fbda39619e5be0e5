/* Practice mode of exam.html: plain JavaScript, no external scripts. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("exam-data").textContent);
  var select = document.getElementById("form-select");
  var result = document.getElementById("result");
  var CIRCLED = "①②③④⑤";

  function currentForm() { return select.value; }
  function paper(name) { return document.querySelector('.paper[data-form="' + name + '"]'); }

  function showForm(name) {
    document.querySelectorAll(".paper").forEach(function (el) { el.hidden = el.dataset.form !== name; });
    clearFeedback();
  }

  function clearFeedback() {
    result.hidden = true;
    document.querySelectorAll(".feedback").forEach(function (el) { el.hidden = true; el.innerHTML = ""; });
    document.querySelectorAll(".question").forEach(function (el) { el.classList.remove("correct", "wrong", "graded"); });
    document.querySelectorAll(".choices li").forEach(function (el) { el.classList.remove("is-answer", "is-picked"); });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fmt(x) { return Math.round(x * 100) / 100; }

  function grade() {
    var name = currentForm();
    var root = paper(name);
    var items = data.forms[name];
    var topics = {};
    var order = [];
    var total = 0, max = 0, essayMax = 0;
    clearFeedback();
    items.forEach(function (item) {
      var q = root.querySelector('.question[data-n="' + item.n + '"]');
      var feedback = q.querySelector(".feedback");
      var score = 0, correct = null, line;
      if (!topics[item.topic]) { topics[item.topic] = { label: item.topicLabel, score: 0, max: 0, right: 0, count: 0 }; order.push(item.topic); }
      var t = topics[item.topic];
      if (item.type === "mcq") {
        var picked = q.querySelector("input[type=radio]:checked");
        var value = picked ? Number(picked.value) : null;
        correct = value === item.answer;
        q.querySelectorAll(".choices li").forEach(function (li, i) {
          if (i + 1 === item.answer) li.classList.add("is-answer");
          if (i + 1 === value) li.classList.add("is-picked");
        });
        line = (correct ? "정답입니다. " : "오답입니다. ") + "정답 " + CIRCLED.charAt(item.answer - 1) +
               (value ? " · 선택한 답 " + CIRCLED.charAt(value - 1) : " · 답을 고르지 않았습니다");
      } else if (item.type === "short") {
        var input = q.querySelector(".short-input");
        correct = window.shortAnswer.matches(input.value, item.accepted);  /* templates/short_answer.js */
        line = (correct ? "정답입니다. " : "오답입니다. ") + "정답 " + item.accepted[0];
        if (item.accepted.length > 1) line += " (인정 답안: " + item.accepted.join(", ") + ")";
      } else {
        line = "서술형은 아래 모범답안과 채점 기준으로 스스로 채점하시오.";
      }
      if (correct) score = item.points;
      feedback.appendChild(el("p", "verdict", line));
      var explain = document.querySelector('#explanations .explain[data-form="' + name + '"][data-qid="' + item.id + '"]');
      if (explain) feedback.appendChild(explain.cloneNode(true));
      if (item.type === "essay") {
        essayMax += item.points;
        var table = el("table", "rubric");
        var head = el("tr"); head.appendChild(el("th", "", "채점 요소")); head.appendChild(el("th", "", "배점")); head.appendChild(el("th", "", "충족"));
        table.appendChild(head);
        item.rubric.forEach(function (r, i) {
          var tr = el("tr");
          tr.appendChild(el("td", "", r.point));
          tr.appendChild(el("td", "num", String(fmt(r.score))));
          var td = el("td", "num"); var box = document.createElement("input");
          box.type = "checkbox"; box.className = "rubric-check"; box.dataset.score = r.score; box.dataset.topic = item.topic;
          box.setAttribute("aria-label", (i + 1) + "번 채점 요소 충족");
          box.addEventListener("change", updateTotals);
          td.appendChild(box); tr.appendChild(td); table.appendChild(tr);
        });
        feedback.appendChild(el("div", "label", "채점 기준"));
        feedback.appendChild(table);
      } else {
        t.count += 1;
        if (correct) t.right += 1;
        q.classList.add(correct ? "correct" : "wrong");
      }
      q.classList.add("graded");
      t.score += score; t.max += item.points; total += score; max += item.points;
      feedback.hidden = false;
    });
    state = { topics: topics, order: order, total: total, max: max, essayMax: essayMax };
    updateTotals();
    result.hidden = false;
    result.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  var state = null;

  function updateTotals() {
    if (!state) return;
    var extra = {}, essay = 0;
    document.querySelectorAll('.paper[data-form="' + currentForm() + '"] .rubric-check:checked').forEach(function (box) {
      var s = Number(box.dataset.score); essay += s; extra[box.dataset.topic] = (extra[box.dataset.topic] || 0) + s;
    });
    var total = state.total + essay;
    var node = document.getElementById("score-total");
    node.textContent = fmt(total) + " / " + state.max + "점";
    node.dataset.score = String(fmt(total));
    node.dataset.max = String(state.max);
    document.getElementById("score-note").textContent = state.essayMax
      ? "(서술형 " + state.essayMax + "점 중 자가 채점 " + fmt(essay) + "점 포함)" : "";
    var rows = document.getElementById("topic-rows");
    rows.innerHTML = "";
    state.order.forEach(function (key) {
      var t = state.topics[key];
      var tr = el("tr");
      tr.dataset.topic = key;
      tr.appendChild(el("td", "", t.label));
      tr.appendChild(el("td", "num", t.count ? t.right + " / " + t.count : "—"));
      tr.appendChild(el("td", "num", fmt(t.score + (extra[key] || 0)) + " / " + t.max));
      rows.appendChild(tr);
    });
  }

  select.addEventListener("change", function () { state = null; showForm(currentForm()); });
  document.getElementById("submit-btn").addEventListener("click", grade);
  document.getElementById("reset-btn").addEventListener("click", function () {
    var root = paper(currentForm());
    root.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = false; });
    root.querySelectorAll("input[type=text], textarea").forEach(function (r) { r.value = ""; });
    state = null; clearFeedback(); window.scrollTo(0, 0);
  });
  document.getElementById("print-btn").addEventListener("click", function () { window.print(); });
  showForm(currentForm());
})();
