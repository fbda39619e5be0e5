/* mockexam preview: keeps the page in step with the bank through Server-Sent Events. */
(function () {
  "use strict";
  var records = {};      // revision -> question record (HTML rendered by the server)
  var cards = {};        // revision -> card element
  var loading = false, again = false, firstLoad = true, topicsKey = "";
  var examForm = null;
  var $ = function (id) { return document.getElementById(id); };
  var list = $("questions");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function setLive(state, text) {
    var live = $("live");
    live.dataset.state = state;
    live.textContent = text;
  }

  function clock() {
    var d = new Date();
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map(function (n) { return String(n).padStart(2, "0"); }).join(":");
  }

  /* --- loading ---------------------------------------------------------------------------------- */
  function load() {
    if (loading) { again = true; return; }
    loading = true;
    fetch("/api/state", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ have: Object.keys(records) })
    }).then(function (r) { return r.json(); }).then(apply).catch(function () {
      setLive("error", "불러오지 못했습니다. 다시 시도하는 중…");
    }).then(function () {
      loading = false;
      if (again) { again = false; load(); }
    });
  }

  function apply(state) {
    if (!state.version) return;
    Object.keys(state.records).forEach(function (rev) { records[rev] = state.records[rev]; });
    var live = {};
    state.order.forEach(function (rev) { live[rev] = true; });
    Object.keys(records).forEach(function (rev) {
      if (!live[rev]) { delete records[rev]; delete cards[rev]; }
    });
    updateTopics(state.topics);
    var nodes = state.order.map(function (rev) {
      if (!cards[rev]) {
        cards[rev] = card(records[rev]);
        if (!firstLoad) cards[rev].classList.add("fresh");
      }
      return cards[rev];
    });
    place(nodes);
    filter();
    showProblems(state.problems, state.bankOk);
    showExam(state.exam);
    firstLoad = false;
    document.body.dataset.version = String(state.version);
    setLive("live", "저장하면 바로 반영됩니다 · " + clock() + " 갱신");
  }

  /* Put the cards in bank order touching only what changed: moving hundreds of cards full of SVG
     formulas would make the browser lay out the whole page again on every save. */
  function place(nodes) {
    var wanted = new Set(nodes);
    Array.prototype.slice.call(list.children).forEach(function (child) {
      if (!wanted.has(child)) list.removeChild(child);
    });
    nodes.forEach(function (node, i) {
      var at = list.children[i];
      if (at !== node) list.insertBefore(node, at || null);
    });
  }

  /* --- question cards ---------------------------------------------------------------------------- */
  function card(rec) {
    var node = el("article", "card");
    node.dataset.id = rec.id;
    node.dataset.type = rec.type;
    node.dataset.topic = rec.topic;
    node.dataset.area = rec.area;
    node.dataset.difficulty = String(rec.difficulty);
    var meta = el("header", "card-meta");
    meta.appendChild(el("span", "badge t-" + rec.type, rec.typeLabel));
    meta.appendChild(el("b", "qid", rec.id));
    meta.appendChild(el("span", "topic", rec.topicLabel + " (" + rec.topic + ")"));
    meta.appendChild(el("span", "diff", "난이도 " + rec.difficulty + " " + rec.difficultyLabel));
    meta.appendChild(el("span", "pts-meta", rec.points + "점"));
    var pdf = el("a", "pdf-btn", "PDF로 보기");
    pdf.href = "/pdf/" + encodeURIComponent(rec.id);
    pdf.target = "_blank";
    pdf.rel = "noopener";
    pdf.title = "이 문항을 문제지와 같은 모양의 PDF로 엽니다";
    meta.appendChild(pdf);
    node.appendChild(meta);

    var body = el("div", "card-body");
    var sheet = el("div", "sheet");
    sheet.innerHTML = rec.html;  // rendered by the server from Markdown with raw HTML escaped
    body.appendChild(sheet);
    var side = el("div", "answer");
    side.appendChild(el("div", "label", "정답"));
    var key = el("div", "key"); key.innerHTML = rec.key; side.appendChild(key);
    if (rec.explanation) {
      side.appendChild(el("div", "label", "해설"));
      var ex = el("div", "explain"); ex.innerHTML = rec.explanation; side.appendChild(ex);
    } else if (rec.type !== "essay") {
      side.appendChild(el("p", "missing", "해설이 없습니다."));
    }
    if (rec.modelAnswer) {
      side.appendChild(el("div", "label", "모범답안"));
      var ma = el("div", "explain"); ma.innerHTML = rec.modelAnswer; side.appendChild(ma);
    }
    var facts = el("dl", "facts");
    function fact(name, value) {
      if (!value) return;
      facts.appendChild(el("dt", "", name)); facts.appendChild(el("dd", "", value));
    }
    fact("파일", rec.path);
    fact("태그", rec.tags.join(", "));
    fact("개념 묶음", rec.group);
    fact("출처", rec.source);
    if (rec.type === "mcq" && !rec.shuffle) fact("선택지 순서", "섞지 않음");
    side.appendChild(facts);
    body.appendChild(side);
    node.appendChild(body);
    return node;
  }

  function updateTopics(topics) {
    var key = JSON.stringify(topics);
    if (key === topicsKey) return;
    topicsKey = key;
    var select = $("f-topic"), value = select.value;
    select.replaceChildren(new Option("전체", ""));
    topics.forEach(function (area) {
      var group = document.createElement("optgroup");
      group.label = area.label;
      group.appendChild(new Option(area.label + " 전체", area.area));
      area.leaves.forEach(function (leaf) { group.appendChild(new Option(leaf.label, leaf.topic)); });
      select.appendChild(group);
    });
    select.value = value;
  }

  function filter() {
    var type = $("f-type").value, topic = $("f-topic").value, diff = $("f-difficulty").value;
    var text = $("f-text").value.trim().toLowerCase();
    var shown = 0, total = 0;
    Object.keys(cards).forEach(function (rev) {
      var node = cards[rev], rec = records[rev];
      total += 1;
      var ok = (!type || node.dataset.type === type) &&
               (!topic || node.dataset.topic === topic || node.dataset.area === topic) &&
               (!diff || node.dataset.difficulty === diff) &&
               (!text || rec.search.indexOf(text) >= 0);
      if (node.hidden === ok) node.hidden = !ok;
      if (ok) shown += 1;
    });
    $("count").textContent = shown === total ? "문항 " + total + "개" : "문항 " + total + "개 중 " + shown + "개";
  }

  /* --- problems ------------------------------------------------------------------------------- */
  function problemItem(p) {
    var li = el("li");
    if (p.path) {
      li.appendChild(el("code", "where", p.path + ":" + p.line));
      li.appendChild(document.createTextNode(" "));
      if (p.field) li.appendChild(el("b", "field", p.field));
      li.appendChild(document.createTextNode(" " + p.message));
    } else {
      li.textContent = p.text;
    }
    return li;
  }

  function showProblems(problems, bankOk) {
    var box = $("problems");
    box.hidden = problems.length === 0;
    $("problems-title").textContent = "검사에서 문제 " + problems.length + "건을 찾았습니다";
    box.querySelector(".hint").textContent = bankOk
      ? "문제가 있는 파일은 빼고 나머지 문항을 보여 줍니다. 고쳐서 저장하면 바로 반영됩니다."
      : "topics.yaml을 읽을 수 없어 문항을 보여 줄 수 없습니다. 고쳐서 저장하면 바로 반영됩니다.";
    $("problem-list").replaceChildren.apply($("problem-list"), problems.map(problemItem));
  }

  /* --- assembled exam -------------------------------------------------------------------------- */
  var examKey = "";
  function showExam(exam, force) {
    if (!exam) return;
    var key = JSON.stringify(exam);
    if (key === examKey && !force) return;  // unchanged: keep the DOM (and the reader's place)
    examKey = key;
    var problems = $("exam-problems"), head = $("exam-head"), body = $("exam-body");
    problems.hidden = exam.problems.length === 0;
    problems.replaceChildren();
    if (exam.problems.length) {
      problems.appendChild(el("h2", "", "시험지를 조립하지 못했습니다 (" + exam.blueprint + ")"));
      var ul = el("ul");
      exam.problems.forEach(function (p) { ul.appendChild(problemItem(p)); });
      problems.appendChild(ul);
    }
    var rec = exam.record;
    head.replaceChildren();
    body.replaceChildren();
    if (!rec) return;
    var forms = rec.forms.map(function (f) { return f.name; });
    if (forms.indexOf(examForm) < 0) examForm = forms[0];
    var form = rec.forms[forms.indexOf(examForm)];
    head.appendChild(el("h2", "", rec.title));
    head.appendChild(el("p", "facts-line", rec.facts));
    var pick = el("div", "form-pick");
    rec.forms.forEach(function (f) {
      var b = el("button", f.name === examForm ? "on" : "", f.label);
      b.type = "button";
      b.setAttribute("aria-pressed", String(f.name === examForm));
      b.addEventListener("click", function () { examForm = f.name; showExam(exam, true); });
      pick.appendChild(b);
    });
    head.appendChild(pick);
    if (form.mcqKey) head.appendChild(el("p", "mcq-key", form.label + " 객관식 정답: " + form.mcqKey));
    form.sections.forEach(function (section) {
      var block = el("div", "exam-section");
      var sh = el("div", "sheet sec"); sh.innerHTML = section.head; block.appendChild(sh);
      section.items.forEach(function (item) {
        var row = el("div", "exam-item");
        row.dataset.id = item.id;
        var sheet = el("div", "sheet"); sheet.innerHTML = item.html; row.appendChild(sheet);
        var side = el("div", "answer");
        var key = el("div", "key"); key.innerHTML = item.key;
        side.appendChild(el("div", "label", "정답"));
        side.appendChild(key);
        if (item.explanation) {
          side.appendChild(el("div", "label", "해설 (" + form.label + " 선택지 순서)"));
          var ex = el("div", "explain"); ex.innerHTML = item.explanation; side.appendChild(ex);
        }
        side.appendChild(el("div", "item-meta", item.id + " · " + item.topicLabel + " · 난이도 " + item.difficulty));
        row.appendChild(side);
        block.appendChild(row);
      });
      body.appendChild(block);
    });
  }

  function tab(which) {
    var exam = which === "exam";
    $("bank-view").hidden = exam;
    $("exam-view").hidden = !exam;
    $("tab-bank").setAttribute("aria-selected", String(!exam));
    $("tab-exam").setAttribute("aria-selected", String(exam));
  }

  /* --- wiring ------------------------------------------------------------------------------------ */
  ["f-type", "f-topic", "f-difficulty"].forEach(function (id) { $(id).addEventListener("change", filter); });
  $("f-text").addEventListener("input", filter);
  $("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  $("f-key").addEventListener("change", function () {
    document.body.classList.toggle("no-key", !$("f-key").checked);
  });
  $("tab-bank").addEventListener("click", function () { tab("bank"); });
  $("tab-exam").addEventListener("click", function () { tab("exam"); });

  var source = new EventSource("/events");
  source.addEventListener("change", load);
  source.addEventListener("open", function () { if (!firstLoad) setLive("live", "다시 연결했습니다 · " + clock()); });
  source.addEventListener("error", function () { setLive("error", "서버와 연결이 끊겼습니다. 다시 연결하는 중…"); });
})();
