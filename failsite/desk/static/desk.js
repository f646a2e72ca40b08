// The story desk: collects the form into plain values, checks them as you type, saves, and runs the review queue.
// Every request that changes a file carries the desk's token (from the page) in a header.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="desk-token"]').content;
  var desk = document.querySelector('meta[name="desk-path"]').content;
  // The desk's words in the site's language, from the page (a JSON block the server fills in).
  var words = JSON.parse(document.getElementById("desk-words").textContent);
  function say(key, count) { return (words[key] || key).replace("%d", count); }

  function post(path, data) {
    return fetch(desk + "/api/" + path, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Failsite-Desk": token},
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    });
  }

  // -- the list's filter -------------------------------------------------------------------
  document.querySelectorAll("[data-filter]").forEach(function (input) {
    var table = document.querySelector(input.getAttribute("data-filter"));
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      table.querySelectorAll("[data-filtered]").forEach(function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
  });

  // -- the form ----------------------------------------------------------------------------
  var form = document.getElementById("story");
  if (form) { storyForm(form); }

  function valueOf(control) {
    if (control.hasAttribute("data-lines")) {
      return control.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
    }
    return control.value;
  }

  function checks(container) {
    return Array.prototype.map.call(container.querySelectorAll("[data-check]:checked"), function (c) { return c.value; });
  }

  function subValues(container) {
    var record = {};
    container.querySelectorAll(":scope [data-sub]").forEach(function (sub) {
      var control = sub.querySelector("[data-value]");
      record[sub.getAttribute("data-sub")] = control ? valueOf(control) : checks(sub);
    });
    return record;
  }

  function fieldValue(field) {
    var kind = field.getAttribute("data-kind");
    var rows = field.querySelector("[data-rows]");
    if (rows) {
      return Array.prototype.map.call(rows.children, function (row) {
        return kind === "records" ? subValues(row) : valueOf(row.querySelector("[data-value]"));
      });
    }
    if (kind === "record") { return subValues(field); }
    if (field.querySelector("[data-check]")) { return checks(field); }
    var control = field.querySelector("[data-value]");
    return control ? valueOf(control) : "";
  }

  function storyForm(form) {
    var state = form.querySelector("[data-state]");
    var summary = form.querySelector("[data-summary]");
    var conflict = form.querySelector("[data-conflict]");
    var bodyFrame = form.querySelector("[data-body-preview]");
    var reach = form.querySelector("[data-reach]");
    var refusal = form.querySelector("[data-refusal]");
    var timer = null, dirty = false, saving = false;

    function collect() {
      var values = {};
      form.querySelectorAll(".field[data-field]").forEach(function (field) {
        var name = field.getAttribute("data-field");
        if (name !== "body") { values[name] = fieldValue(field); }
      });
      return {item: form.dataset.item, type: form.dataset.type, version: form.dataset.version, values: values,
              body: form.querySelector("[data-body]").value};
    }

    // Where a message goes: a subfield's own list, a row's (made when first needed), or the field's.
    function messagesOf(target) {
      if (target.classList.contains("field")) { return target.querySelector("[data-field-messages]"); }
      var list = target.querySelector(":scope > [data-messages]");
      if (!list) {
        list = document.createElement("ul"); list.className = "messages"; list.setAttribute("data-messages", "");
        target.appendChild(list);
      }
      return list;
    }

    function refuse(answer) {
      refusal.textContent = answer.body.error || say("The desk could not save.");
      refusal.hidden = false;
      var field = answer.body.field && form.querySelector('.field[data-field="' + answer.body.field + '"]');
      if (field) {
        var item = document.createElement("li");
        item.className = "error"; item.textContent = answer.body.error;
        messagesOf(field).appendChild(item);
        var control = field.querySelector("[data-value]");
        if (control) { control.setAttribute("aria-invalid", "true"); control.focus(); }
      }
    }

    function show(result) {
      form.querySelectorAll("[data-messages], [data-field-messages]").forEach(function (list) { list.innerHTML = ""; });
      form.querySelectorAll("[aria-invalid]").forEach(function (c) { c.removeAttribute("aria-invalid"); });
      form.querySelectorAll(".row.has-error, .sub.has-error, .field.has-error").forEach(function (e) {
        e.classList.remove("has-error");
      });
      var unplaced = [];
      (result.messages || []).forEach(function (m) {
        var field = m.field && form.querySelector('.field[data-field="' + m.field + '"]');
        if (!field) { unplaced.push(m); return; }
        var target = field;
        if (m.row !== null && m.row !== undefined) {
          var rows = field.querySelector("[data-rows]");
          var row = rows && rows.children[m.row];
          if (row) {
            target = row;
            var sub = m.sub && row.querySelector('[data-sub="' + m.sub + '"]');
            if (sub) { target = sub; }
          }
        } else if (m.sub) {
          target = field.querySelector('[data-sub="' + m.sub + '"]') || field;
        }
        var list = messagesOf(target);
        var item = document.createElement("li");
        item.className = m.severity;
        item.textContent = (m.field === "body" ? say("line %d", m.line) + ": " : "") + m.message + (m.hint ? " — " + m.hint : "");
        list.appendChild(item);
        if (m.severity === "error") {
          target.classList.add("has-error");
          var control = target.querySelector("[data-value], [data-body]");
          if (control) { control.setAttribute("aria-invalid", "true"); }
        }
      });
      summary.innerHTML = "";
      var errors = result.errors || 0;
      var warnings = (result.messages || []).filter(function (m) { return m.severity === "warning"; }).length;
      if (errors || warnings || unplaced.length) {
        var p = document.createElement("p");
        p.className = "notice " + (errors ? "error" : "warning");
        p.textContent = errors ? say(errors === 1 ? "1 error to fix before the story can leave draft" :
          "%d errors to fix before the story can leave draft", errors) +
          (warnings ? " " + say(warnings === 1 ? "(and 1 warning)" : "(and %d warnings)", warnings) : "")
          : say(warnings === 1 ? "1 warning" : "%d warnings", warnings);
        summary.appendChild(p);
        unplaced.forEach(function (m) {
          var line = document.createElement("p");
          line.className = "notice " + m.severity;
          line.textContent = m.message + (m.hint ? " — " + m.hint : "");
          summary.appendChild(line);
        });
      }
      if (bodyFrame) {
        bodyFrame.srcdoc = '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="' +
          desk + '/static/desk.css"></head><body class="prose">' + (result.body_html || "") + "</body></html>";
      }
      if (reach && result.reach && result.reach.length) {
        reach.innerHTML = "";
        result.reach.forEach(function (r) {
          var li = document.createElement("li");
          li.className = r.published ? "yes" : "no";
          var strong = document.createElement("strong"); strong.textContent = r.audience;
          li.appendChild(strong);
          li.appendChild(document.createTextNode(": " + (r.published ? say("published") : r.reason)));
          reach.appendChild(li);
        });
      }
    }

    var asked = 0;
    function check() {
      var mine = ++asked;  // an answer to an older check, arriving late, is not shown over a newer one
      post("check", collect()).then(function (answer) {
        if (mine !== asked) { return; }
        if (answer.status === 200) { show(answer.body); }
        else { state.textContent = answer.body.error || say("The check failed."); }
      });
    }

    function changed() {
      dirty = true;
      state.textContent = say("Not saved");
      clearTimeout(timer);
      timer = setTimeout(check, 350);
    }

    function save(sendToReview) {
      if (saving) { return; }
      saving = true;
      var data = collect();
      if (sendToReview) { data.values.status = "in-review"; }
      state.textContent = say("Saving…");
      post("save", data).then(function (answer) {
        saving = false;
        if (answer.status === 200) {
          dirty = false;
          refusal.hidden = true;
          form.dataset.version = answer.body.version;
          state.textContent = say("Saved");
          show(answer.body);
          if (!form.dataset.item || sendToReview) { window.location.href = answer.body.edit + "&saved=1"; return; }
          var title = form.querySelector("[data-title-shown]");
          if (title) { title.textContent = data.values.title; }
        } else if (answer.status === 409) {
          conflict.textContent = answer.body.error;
          conflict.hidden = false;
          state.textContent = say("Not saved");
        } else {
          clearTimeout(timer);
          state.textContent = say("Not saved");
          refuse(answer);
        }
      }, function () { saving = false; state.textContent = say("The desk cannot be reached: is `failsite desk` still running?"); });
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function (event) { event.preventDefault(); save(false); });
    // Enter in a one-line box does not save a half-written story (the browser's habit in forms): Ctrl+S does.
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.tagName === "INPUT" && event.target.type !== "checkbox" &&
          !event.ctrlKey && !event.metaKey) { event.preventDefault(); }
    });
    var review = form.querySelector("[data-submit-review]");
    if (review) { review.addEventListener("click", function () { save(true); }); }
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") { event.preventDefault(); save(false); }
      var row = event.target.closest && event.target.closest("[data-row]");
      if (row && event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
        event.preventDefault(); move(row, event.key === "ArrowUp" ? -1 : 1, event.target);
      }
    });
    window.addEventListener("beforeunload", function (event) { if (dirty) { event.preventDefault(); event.returnValue = ""; } });

    function move(row, by, focus) {
      var sibling = by < 0 ? row.previousElementSibling : row.nextElementSibling;
      if (!sibling) { return; }
      if (by < 0) { row.parentNode.insertBefore(row, sibling); } else { row.parentNode.insertBefore(sibling, row); }
      if (focus) { focus.focus(); }
      changed();
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      var row = button.closest("[data-row]");
      if (button.hasAttribute("data-add")) {
        var field = button.closest(".field");
        var rows = field.querySelector("[data-rows]");
        var fresh = field.querySelector("template[data-row-template]").content.firstElementChild.cloneNode(true);
        var n = rows.children.length;
        fresh.querySelectorAll("[id]").forEach(function (e) { e.id = e.id.replace("-new", "-" + n + "-added"); });
        fresh.querySelectorAll("label[for]").forEach(function (e) { e.htmlFor = e.htmlFor.replace("-new", "-" + n + "-added"); });
        rows.appendChild(fresh);
        var first = fresh.querySelector("input, textarea, select");
        if (first) { first.focus(); }
        changed();
      } else if (button.hasAttribute("data-remove") && row) {
        var next = row.nextElementSibling || row.previousElementSibling;
        var owner = row.closest(".field");
        row.remove();
        (next ? next.querySelector("input, textarea, select") : owner.querySelector("[data-add]")).focus();
        changed();
      } else if (button.hasAttribute("data-move") && row) {
        move(row, parseInt(button.getAttribute("data-move"), 10), button);
      }
    });

    // Tabs: the text as readers see it, and the page in the preview.
    var tabs = form.querySelectorAll('[role="tab"]');
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () {
        tabs.forEach(function (t) {
          var on = t === tab;
          t.setAttribute("aria-selected", on ? "true" : "false");
          document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
        });
      });
    });

    // A file changed on disk while it is open here is said at once, not found out when saving.
    if (form.dataset.item) {
      setInterval(function () {
        if (saving) { return; }
        fetch(desk + "/api/version?item=" + encodeURIComponent(form.dataset.item), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (answer) {
            if (!saving && answer.version !== form.dataset.version) {
              conflict.textContent = answer.version
                ? say("This file was changed since you opened it (in an editor or another window). Saving now would be refused: copy what you wrote, then reload the page.")
                : say("This file was removed or renamed since you opened it.");
              conflict.hidden = false;
            }
          }, function () {});
      }, 3000);
    }
    if (/[?&]saved=1/.test(window.location.search)) { state.textContent = say("Saved"); }
    check();
  }

  // -- the review queue --------------------------------------------------------------------
  document.querySelectorAll("[data-entry]").forEach(function (entry) {
    entry.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action]");
      if (!button) { return; }
      var action = button.getAttribute("data-action");
      if (button.hasAttribute("data-confirm") && !button.hasAttribute("data-armed")) {
        // Withdrawing takes the story out of every build: the first press asks, the second does it.
        button.setAttribute("data-armed", "");
        button.textContent = button.getAttribute("data-confirm");
        button.classList.add("danger");
        return;
      }
      var data = {item: entry.dataset.item, version: entry.dataset.version, action: action};
      var row = button.closest("tr");
      if (button.hasAttribute("data-record")) { data.record = parseInt(button.getAttribute("data-record"), 10); }
      if (action === "approve") { data.reviewer = entry.querySelector("[data-reviewer]").value; }
      if (action === "send-back") { data.note = entry.querySelector("[data-note]").value; }
      if (action === "expire") { data.date = row.querySelector("[data-expiry]").value; }
      if (action === "add-consent") {
        data.person = entry.querySelector("[data-person]").value;
        data.date = entry.querySelector("[data-given]").value;
        data.audiences = Array.prototype.map.call(entry.querySelectorAll("[data-audience]:checked"), function (c) { return c.value; });
      }
      button.disabled = true;
      post("review", data).then(function (answer) {
        button.disabled = false;
        if (answer.status === 200) {
          window.location.href = desk + "/review?said=" + encodeURIComponent(answer.body.said || "");
          return;
        }
        var error = entry.querySelector("[data-error]");
        error.textContent = answer.body.error || say("The desk could not do that.");
        error.hidden = false;
      }, function () { button.disabled = false; });
    });
  });
})();
