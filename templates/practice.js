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
  function $(id) { return document.getElementById(id); }

  /* --- saved answers: localStorage, keyed by exam, form and the form's questions and key --------- */
  var PREFIX = "mockexam:" + data.examId + ":";
  var memory = {};  // per form: {answers: {qid: value}, startedAt, finishedAt, graded, retry: [qid], rubric: {qid: [i]}}

  function fingerprint(name) {  // a rebuilt exam with other questions or another key does not get old answers
    var text = data.forms[name].map(function (i) { return i.id + "=" + i.answer; }).join(",");
    var hash = 5381;
    for (var k = 0; k < text.length; k++) hash = (hash * 33 + text.charCodeAt(k)) >>> 0;
    return hash.toString(36);
  }
  function storeKey(name) { return PREFIX + name + ":" + fingerprint(name); }
  function stored(name) {
    if (!memory[name]) {
      var saved = null;
      try { saved = JSON.parse(window.localStorage.getItem(storeKey(name)) || "null"); } catch (e) { saved = null; }
      memory[name] = saved && typeof saved === "object" ? saved : {};
      if (!memory[name].answers) memory[name].answers = {};
    }
    return memory[name];
  }
  function persist(name) {
    try { window.localStorage.setItem(storeKey(name), JSON.stringify(stored(name))); } catch (e) { /* private mode: keep in memory */ }
  }
  function question(name, item) { return paper(name).querySelector('.question[data-n="' + item.n + '"]'); }

  function answerOf(q) {
    var picked = q.querySelector("input[type=radio]:checked");
    if (picked) return picked.value;
    var field = q.querySelector(".short-input, textarea");
    return field && field.value.trim() !== "" ? field.value : "";
  }

  function capture(name) {
    var s = stored(name);
    s.answers = {};
    data.forms[name].forEach(function (item) {
      var value = answerOf(question(name, item));
      if (value !== "") s.answers[item.id] = value;
    });
    if (!s.startedAt && Object.keys(s.answers).length) s.startedAt = Date.now();  // the clock starts with the first answer
    persist(name);
    updateProgress();
  }

  function restore(name) {
    var answers = stored(name).answers;
    data.forms[name].forEach(function (item) {
      var q = question(name, item), value = answers[item.id];
      if (value === undefined) return;
      var radio = q.querySelector('input[type=radio][value="' + value + '"]');
      if (radio) radio.checked = true;
      var field = q.querySelector(".short-input, textarea");
      if (field) field.value = value;
    });
  }

  function clearAnswers(q) {
    q.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = false; });
    q.querySelectorAll("input[type=text], textarea").forEach(function (r) { r.value = ""; });
  }

  /* questions being graded: all, or only the wrong ones while retrying them */
  function inScope(name) {
    var retry = stored(name).retry;
    return data.forms[name].filter(function (item) { return !retry || retry.indexOf(item.id) >= 0; });
  }

  function updateProgress() {
    var name = currentForm(), items = inScope(name), answers = stored(name).answers;
    var done = items.filter(function (item) { return answers[item.id] !== undefined; }).length;
    $("progress").textContent = "답한 문항 " + done + " / " + items.length;
  }

  /* --- timer from the blueprint's duration_minutes -------------------------------------------------- */
  var DURATION = data.durationMinutes * 60000;
  var WARN_BEFORE = Math.min(5 * 60000, DURATION / 4);
  var timer = $("timer"), notice = $("time-notice");

  function clockText(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function showNotice(stage, text) {
    var s = stored(currentForm());
    if (s.dismissed === stage) { notice.hidden = true; return; }
    notice.dataset.stage = stage;
    $("time-notice-text").textContent = text;
    notice.hidden = false;
  }

  function tick() {
    var s = stored(currentForm());
    if (!s.startedAt) {
      timer.dataset.state = "idle";
      timer.textContent = "시험 시간 " + clockText(DURATION);
      notice.hidden = true;
      return;
    }
    if (s.finishedAt) {
      timer.dataset.state = "done";
      timer.textContent = "걸린 시간 " + clockText(s.finishedAt - s.startedAt);
      notice.hidden = true;
      return;
    }
    var left = DURATION - (Date.now() - s.startedAt);
    if (left <= 0) {
      timer.dataset.state = "over";
      timer.textContent = "시간 종료";
      showNotice("over", "시험 시간이 끝났습니다. 제출하고 채점하기를 눌러 결과를 확인하세요.");
    } else if (left <= WARN_BEFORE) {
      timer.dataset.state = "warn";
      timer.textContent = "남은 시간 " + clockText(left);
      showNotice("warn", "시험 종료 " + Math.ceil(left / 60000) + "분 전입니다. 답을 확인하고 제출하세요.");
    } else {
      timer.dataset.state = "run";
      timer.textContent = "남은 시간 " + clockText(left);
      notice.hidden = true;
    }
  }

  /* --- scrolling below the sticky toolbar ----------------------------------------------------------- */
  var toolbar = document.querySelector(".toolbar");
  function fitScrollPadding() {
    document.documentElement.style.scrollPaddingTop = (toolbar.offsetHeight + 8) + "px";
  }
  function scrollToEl(node) {
    var top = node.getBoundingClientRect().top + window.pageYOffset - toolbar.offsetHeight - 8;
    window.scrollTo(0, Math.max(0, top));
  }

  /* --- grading ---------------------------------------------------------------------------------------- */
  function grade() {
    var name = currentForm();
    var root = paper(name);
    var items = inScope(name);
    var topics = {};
    var order = [];
    var wrong = [];
    var saved = stored(name);
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
        var checked = (saved.rubric || {})[item.id] || [];
        var table = el("table", "rubric");
        var head = el("tr"); head.appendChild(el("th", "", "채점 요소")); head.appendChild(el("th", "", "배점")); head.appendChild(el("th", "", "충족"));
        table.appendChild(head);
        item.rubric.forEach(function (r, i) {
          var tr = el("tr");
          tr.appendChild(el("td", "", r.point));
          tr.appendChild(el("td", "num", String(fmt(r.score))));
          var td = el("td", "num"); var box = document.createElement("input");
          box.type = "checkbox"; box.className = "rubric-check"; box.dataset.score = r.score; box.dataset.topic = item.topic;
          box.dataset.qid = item.id; box.dataset.index = String(i); box.checked = checked.indexOf(i) >= 0;
          box.setAttribute("aria-label", (i + 1) + "번 채점 요소 충족");
          box.addEventListener("change", rubricChanged);
          td.appendChild(box); tr.appendChild(td); table.appendChild(tr);
        });
        feedback.appendChild(el("div", "label", "채점 기준"));
        feedback.appendChild(el("div", "table-scroll")).appendChild(table);
      } else {
        t.count += 1;
        if (correct) t.right += 1;
        else wrong.push(item);
        q.classList.add(correct ? "correct" : "wrong");
      }
      q.classList.add("graded");
      t.score += score; t.max += item.points; total += score; max += item.points;
      feedback.hidden = false;
    });
    state = { topics: topics, order: order, total: total, max: max, essayMax: essayMax, wrong: wrong, retry: !!saved.retry };
    updateTotals();
    showReview(name, wrong);
    result.hidden = false;
  }

  var state = null;

  function rubricChanged() {
    var name = currentForm(), s = stored(name);
    s.rubric = {};
    paper(name).querySelectorAll(".rubric-check:checked").forEach(function (box) {
      (s.rubric[box.dataset.qid] = s.rubric[box.dataset.qid] || []).push(Number(box.dataset.index));
    });
    persist(name);
    updateTotals();
  }

  function updateTotals() {
    if (!state) return;
    var extra = {}, essay = 0;
    document.querySelectorAll('.paper[data-form="' + currentForm() + '"] .rubric-check:checked').forEach(function (box) {
      var s = Number(box.dataset.score); essay += s; extra[box.dataset.topic] = (extra[box.dataset.topic] || 0) + s;
    });
    var total = state.total + essay;
    var node = document.getElementById("score-total");
    $("result-title").textContent = state.retry ? "다시 푼 문제 채점 결과" : "채점 결과";
    node.textContent = fmt(total) + " / " + state.max + "점";
    node.dataset.score = String(fmt(total));
    node.dataset.max = String(state.max);
    document.getElementById("score-note").textContent = state.essayMax
      ? "(서술형 " + state.essayMax + "점 중 자가 채점 " + fmt(essay) + "점 포함)" : "";
    var rows = document.getElementById("topic-rows");
    rows.innerHTML = "";
    state.order.forEach(function (key) {
      var t = state.topics[key];
      var got = t.score + (extra[key] || 0);
      var tr = el("tr");
      tr.dataset.topic = key;
      tr.appendChild(el("td", "", t.label));
      tr.appendChild(el("td", "num", t.count ? t.right + " / " + t.count : "—"));
      tr.appendChild(el("td", "num", fmt(got) + " / " + t.max));
      var rate = t.max ? Math.round(100 * got / t.max) : 0;
      var cell = el("td", "rate"), track = el("span", "track"), fill = el("span", "bar");
      fill.style.width = rate + "%";
      track.appendChild(fill); cell.appendChild(track); cell.appendChild(el("span", "pct", rate + "%"));
      tr.appendChild(cell);
      rows.appendChild(tr);
    });
  }

  /* --- review of wrong answers and retrying them ---------------------------------------------------- */
  function showReview(name, wrong) {
    var list = $("wrong-list");
    list.innerHTML = "";
    $("review-title").textContent = wrong.length ? "틀린 문항 " + wrong.length + "개" : "객관식과 단답형을 모두 맞혔습니다.";
    wrong.forEach(function (item) {
      var li = el("li");
      var jump = el("button", "jump", item.n + "번");
      jump.type = "button";
      jump.addEventListener("click", function () { scrollToEl(question(name, item)); });
      li.appendChild(jump);
      var given = stored(name).answers[item.id];
      var mine = given === undefined ? "답하지 않음" : item.type === "mcq" ? CIRCLED.charAt(Number(given) - 1) : given;
      li.appendChild(el("span", "topic", item.topicLabel));
      li.appendChild(el("span", "mine", "내 답 " + mine));
      li.appendChild(el("span", "right", "정답 " + item.answerLabel));
      list.appendChild(li);
    });
    $("retry-btn").hidden = wrong.length === 0;
    $("only-wrong-label").hidden = wrong.length === 0;
    $("only-wrong").checked = false;
    paper(name).classList.remove("only-wrong");
  }

  function applyScope(name) {
    var s = stored(name), root = paper(name);
    root.classList.toggle("retrying", !!s.retry);
    data.forms[name].forEach(function (item) {
      question(name, item).classList.toggle("out-of-scope", !!s.retry && s.retry.indexOf(item.id) < 0);
    });
    $("retry-banner").hidden = !s.retry;
    if (s.retry) $("retry-text").textContent = "틀린 문제 " + s.retry.length + "개를 다시 풉니다. 맞힌 문제는 잠시 숨겨 두었습니다.";
    updateProgress();
  }

  function retryWrong() {
    var name = currentForm(), s = stored(name);
    if (!state || !state.wrong.length) return;
    s.retry = state.wrong.map(function (item) { return item.id; });
    s.graded = false;
    state.wrong.forEach(function (item) { clearAnswers(question(name, item)); });
    capture(name);
    state = null;
    clearFeedback();
    applyScope(name);
    scrollToEl($("retry-banner"));
  }

  function showAll() {
    var name = currentForm(), s = stored(name);
    s.retry = null; s.graded = false;
    persist(name);
    state = null;
    clearFeedback();
    applyScope(name);
  }

  /* --- submitting: warn about unanswered questions first -------------------------------------------- */
  var dialog = $("confirm-dialog");

  function unanswered(name) {
    var answers = stored(name).answers;
    return inScope(name).filter(function (item) { return answers[item.id] === undefined; });
  }

  function submit() {
    var name = currentForm();
    capture(name);
    var missing = unanswered(name);
    if (!missing.length) { finish(); return; }
    var numbers = missing.map(function (item) { return item.n + "번"; });
    $("confirm-text").textContent = "답하지 않은 문항이 " + missing.length + "개 있습니다 (" +
      (numbers.length > 8 ? numbers.slice(0, 8).join(", ") + " 등" : numbers.join(", ")) + "). 그래도 채점할까요?";
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
  }

  function closeDialog() { if (dialog.close) dialog.close(); else dialog.removeAttribute("open"); }

  function finish() {
    var name = currentForm(), s = stored(name);
    s.graded = true;
    if (s.startedAt && !s.finishedAt) s.finishedAt = Date.now();
    persist(name);
    grade();
    tick();
    scrollToEl(result);
  }

  /* a reload (or a return to this form) shows the page as it was left */
  function resume(name) {
    state = null;
    clearFeedback();
    applyScope(name);
    if (stored(name).graded) grade();
    tick();
  }

  select.addEventListener("change", function () {
    try { window.localStorage.setItem(PREFIX + "form", currentForm()); } catch (e) { /* ignore */ }
    showForm(currentForm());
    resume(currentForm());
  });
  document.getElementById("submit-btn").addEventListener("click", submit);
  $("confirm-grade").addEventListener("click", function () { closeDialog(); finish(); });
  $("confirm-back").addEventListener("click", function () {
    closeDialog();
    var first = unanswered(currentForm())[0];
    if (first) scrollToEl(question(currentForm(), first));
  });
  document.getElementById("reset-btn").addEventListener("click", function () {
    var name = currentForm();
    clearAnswers(paper(name));
    memory[name] = { answers: {} };
    persist(name);
    state = null; clearFeedback(); applyScope(name); tick(); window.scrollTo(0, 0);
  });
  $("retry-btn").addEventListener("click", retryWrong);
  $("show-all-btn").addEventListener("click", showAll);
  $("only-wrong").addEventListener("change", function () {
    paper(currentForm()).classList.toggle("only-wrong", $("only-wrong").checked);
  });
  $("time-notice-close").addEventListener("click", function () {
    var name = currentForm();
    stored(name).dismissed = notice.dataset.stage;
    persist(name);
    notice.hidden = true;
  });
  document.querySelectorAll(".paper").forEach(function (root) {
    var save = function () { capture(root.dataset.form); tick(); };
    root.addEventListener("change", function (event) { if (!event.target.classList.contains("rubric-check")) save(); });
    root.addEventListener("input", save);
  });
  document.getElementById("print-btn").addEventListener("click", function () { window.print(); });
  window.addEventListener("resize", fitScrollPadding);

  var lastForm = null;
  try { lastForm = window.localStorage.getItem(PREFIX + "form"); } catch (e) { lastForm = null; }
  if (lastForm && data.forms[lastForm]) select.value = lastForm;
  Object.keys(data.forms).forEach(restore);
  fitScrollPadding();
  showForm(currentForm());
  resume(currentForm());
  window.setInterval(tick, 1000);
})();
