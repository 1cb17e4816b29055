/*
 * The article form's editor: a toolbar and a live preview for each Markdown field, an
 * article-link picker, and sections that collapse and move without typing position numbers.
 *
 * A small script of our own, served from static files under the site's CSP (no inline code, no
 * CDN). Without it the form is the plain Django form and works the same. The preview is rendered
 * by the server with the public page's renderer and sanitizer (editorial/editor_views.py); the
 * HTML it returns is already sanitized there.
 */
(function () {
  "use strict";

  var script = document.getElementById("editorial-editor-script");
  if (!script || !window.fetch) { return; }
  var PREVIEW_URL = script.dataset.previewUrl;
  var LANGUAGE = script.dataset.language || "en";  // the edition's: the reading hint's formula
  var SEARCH_URL = script.dataset.linkSearchUrl;
  var DELAY = 400;
  var fieldCount = 0;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  /* ---------------------------------------------------------------- editing the text */

  function replaceSelection(area, make) {
    var start = area.selectionStart, end = area.selectionEnd;
    var result = make(area.value.slice(start, end));
    area.setRangeText(result.text, start, end, "end");
    if (result.select) {
      area.setSelectionRange(start + result.select[0], start + result.select[1]);
    }
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function wrap(marker, placeholder) {
    return function (area) {
      replaceSelection(area, function (selected) {
        var inner = selected || placeholder;
        return { text: marker + inner + marker, select: [marker.length, marker.length + inner.length] };
      });
    };
  }

  function list(numbered) {
    return function (area) {
      var start = area.value.lastIndexOf("\n", area.selectionStart - 1) + 1;
      area.setSelectionRange(start, area.selectionEnd);
      replaceSelection(area, function (selected) {
        var lines = (selected || "List item").split("\n");
        var text = lines.map(function (line, index) {
          var bare = line.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, "");
          return (numbered ? (index + 1) + ". " : "- ") + bare;
        }).join("\n");
        return { text: text };
      });
    };
  }

  function webLink(area) {
    var address = window.prompt("Address of the web page (https://…)", "https://");
    if (!address || address === "https://") { return; }
    replaceSelection(area, function (selected) {
      var label = selected || "link text";
      return { text: "[" + label + "](" + address.trim() + ")", select: [1, 1 + label.length] };
    });
  }

  /* ---------------------------------------------------------------- the article-link picker */

  var picker = null;

  function buildPicker() {
    var dialog = el("dialog", { "class": "link-picker", "aria-labelledby": "link-picker-title" });
    dialog.appendChild(el("h2", { id: "link-picker-title" }, "Link to an article"));
    var label = el("label", { "for": "link-picker-query" }, "Title or alternative name");
    var input = el("input", { id: "link-picker-query", type: "search", autocomplete: "off",
      "aria-describedby": "link-picker-help" });
    var help = el("p", { id: "link-picker-help", "class": "help" },
      "Type two letters or more, or a six-digit id. Articles that are not live show as plain text until they are.");
    var status = el("p", { "class": "link-picker-status", role: "status" });
    var results = el("ul", { "class": "link-picker-results", "aria-label": "Matching articles" });
    var close = el("button", { type: "button", "class": "link-picker-close" }, "Cancel");
    [label, input, help, status, results, close].forEach(function (node) { dialog.appendChild(node); });
    document.body.appendChild(dialog);
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      if (picker.area) { picker.area.focus(); }
    });
    var search = debounce(function (query) {
      if (query.trim().length < 2) { results.replaceChildren(); status.textContent = ""; return; }
      fetch(SEARCH_URL + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { show(data.results || []); })
        .catch(function () { status.textContent = "The search did not answer; try again."; });
    }, 250);
    function show(found) {
      results.replaceChildren();
      status.textContent = found.length ? found.length + " found." : "No article matches.";
      found.forEach(function (target) {
        var item = el("li");
        var choose = el("button", { type: "button", "class": "link-picker-choice" });
        choose.appendChild(el("span", { "class": "title" }, target.title + " (" + target.public_id + ")"));
        if (target.matched_name) {
          choose.appendChild(el("span", { "class": "also" }, " also known as “" + target.matched_name + "”"));
        }
        choose.appendChild(el("span", { "class": target.live ? "live" : "not-live" }, target.status));
        choose.addEventListener("click", function () { insert(target); });
        item.appendChild(choose);
        results.appendChild(item);
      });
    }
    function insert(target) {
      var area = picker.area;
      dialog.close();
      area.setSelectionRange(picker.start, picker.end);
      /* A link inserted at the caret right after a word ("here.") would otherwise be glued to it. */
      var before = picker.start > 0 ? area.value.charAt(picker.start - 1) : "";
      var space = before && !/[\s(\[{"'“‘]/.test(before) ? " " : "";
      replaceSelection(area, function (selected) {
        if (!selected) { return { text: space + target.markdown }; }
        var label = selected.replace(/([\\[\]])/g, "\\$1");
        return { text: "[" + label + "](article:" + target.public_id + ")" };
      });
    }
    input.addEventListener("input", function () { search(input.value); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var first = results.querySelector("button");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    results.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(results.querySelectorAll("button"));
      var index = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && index < buttons.length - 1) { event.preventDefault(); buttons[index + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? buttons[index - 1] : input).focus(); }
    });
    return { dialog: dialog, input: input, results: results, status: status, area: null, start: 0, end: 0 };
  }

  function articleLink(area) {
    picker = picker || buildPicker();
    picker.area = area;
    picker.start = area.selectionStart;
    picker.end = area.selectionEnd;
    var selected = area.value.slice(area.selectionStart, area.selectionEnd).trim();
    picker.input.value = selected.length >= 2 ? selected : "";
    picker.results.replaceChildren();
    picker.status.textContent = "";
    picker.dialog.showModal();
    picker.input.focus();
    if (picker.input.value) { picker.input.dispatchEvent(new Event("input")); }
  }

  /* ---------------------------------------------------------------- toolbar and preview */

  // [name shown on the button, what it does, its Ctrl key]
  var TOOLS = [
    ["Bold", wrap("**", "bold text"), "b"],
    ["Italic", wrap("*", "italic text"), "i"],
    ["Bulleted list", list(false)],
    ["Numbered list", list(true)],
    ["Web link", webLink, "k"],
    ["Link to an article", articleLink],
  ];

  function fieldName(area) {
    var label = document.querySelector("label[for='" + area.id + "']");
    var section = area.closest(".inline-related");
    var heading = section ? section.querySelector(".inline_label") : null;
    var name = label ? label.textContent.replace(/:$/, "").trim() : "text";
    return heading ? name + " of section " + heading.textContent.trim() : name;
  }

  function enhance(area) {
    if (area.dataset.editor || area.closest(".empty-form")) { return; }
    area.dataset.editor = "on";
    fieldCount += 1;
    var name = fieldName(area);
    var toolbar = el("div", { role: "toolbar", "class": "markdown-toolbar", "aria-label": "Formatting: " + name,
      "aria-controls": area.id });
    TOOLS.forEach(function (tool) {
      var button = el("button", { type: "button", "class": "markdown-tool markdown-tool-" + TOOLS.indexOf(tool),
        title: tool[2] ? "Ctrl+" + tool[2].toUpperCase() : "" }, tool[0]);
      button.addEventListener("click", function () { tool[1](area); });
      toolbar.appendChild(button);
    });
    area.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) { return; }
      TOOLS.forEach(function (tool) {
        if (tool[2] && event.key.toLowerCase() === tool[2]) { event.preventDefault(); tool[1](area); }
      });
    });

    var previewId = "preview-" + fieldCount;
    var preview = el("section", { "class": "markdown-preview", id: previewId, "aria-label": "Preview: " + name });
    preview.appendChild(el("p", { "class": "markdown-preview-label" }, "Preview, as readers will see it"));
    var body = el("div", { "class": "markdown-preview-body" });
    var hint = el("p", { "class": "reading-hint", "aria-live": "polite" });
    preview.appendChild(body);
    preview.appendChild(hint);

    var field = el("div", { "class": "markdown-field" });
    var pair = el("div", { "class": "markdown-editor" });
    area.parentNode.insertBefore(field, area);
    field.appendChild(toolbar);
    field.appendChild(pair);
    pair.appendChild(area);
    pair.appendChild(preview);

    var sent = 0;
    function refresh() {
      var ticket = ++sent;
      var data = new FormData();
      data.append("text", area.value);
      data.append("language", LANGUAGE);
      fetch(PREVIEW_URL, { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() } })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          if (ticket !== sent) { return; }  // a later keystroke's answer is on its way
          if (result.error) { hint.textContent = result.error; return; }
          body.innerHTML = result.html;  // sanitized by the server (encyclopedia.markup)
          var notes = result.reading.message;
          if (result.not_live.length) {
            notes += " Links to " + result.not_live.join(", ") + " show as text: not live.";
          }
          hint.textContent = notes;
        })
        .catch(function () { hint.textContent = "The preview did not answer; your text is unchanged."; });
    }
    area.addEventListener("input", debounce(refresh, DELAY));
    var section = area.closest(".inline-related");
    var savedRow = section ? section.querySelector(".field-reading_grade") : null;
    if (savedRow) { savedRow.hidden = true; }  // the preview's hint says it, and follows the typing
    refresh();
  }

  /* ---------------------------------------------------------------- sections: collapse, reorder */

  function sectionRows() {
    return Array.prototype.slice.call(document.querySelectorAll("#sections-group .inline-related:not(.empty-form)"));
  }

  function renumber() {
    sectionRows().forEach(function (row, index) {
      var position = row.querySelector("input[name$='-position']");
      if (position) { position.value = index + 1; }
    });
  }

  function arrangeSection(row) {
    if (row.dataset.arranged || row.classList.contains("empty-form")) { return; }
    row.dataset.arranged = "on";
    var heading = row.querySelector("h3");
    if (!heading) { return; }
    var label = (row.querySelector(".inline_label") || heading).textContent.trim();
    var controls = el("span", { "class": "section-controls" });
    function button(text) {  // "Move up" shown; "Move up section Causes" heard
      var node = el("button", { type: "button" });
      node.appendChild(el("span", { "class": "verb" }, text));
      node.appendChild(el("span", { "class": "visually-hidden" }, " section " + label));
      return node;
    }
    var toggle = button("Collapse"), up = button("Move up"), down = button("Move down");
    toggle.setAttribute("aria-expanded", "true");
    toggle.addEventListener("click", function () {
      var collapsed = row.classList.toggle("section-collapsed");
      toggle.setAttribute("aria-expanded", String(!collapsed));
      toggle.querySelector(".verb").textContent = collapsed ? "Expand" : "Collapse";
    });
    up.addEventListener("click", function () {
      var rows = sectionRows(), index = rows.indexOf(row);
      if (index > 0) { rows[index - 1].before(row); renumber(); up.focus(); }
    });
    down.addEventListener("click", function () {
      var rows = sectionRows(), index = rows.indexOf(row);
      if (index < rows.length - 1) { rows[index + 1].after(row); renumber(); down.focus(); }
    });
    [toggle, up, down].forEach(function (button) { controls.appendChild(button); });
    heading.appendChild(controls);
    var position = row.querySelector(".field-position");
    if (position) {
      position.appendChild(el("div", { "class": "help" }, "Set for you when you move the section."));
    }
  }

  function start() {
    document.querySelectorAll("#id_summary, #sections-group textarea[name$='-body']").forEach(enhance);
    sectionRows().forEach(arrangeSection);
    document.addEventListener("formset:added", function (event) {
      if (event.detail && event.detail.formsetName === "sections") {
        arrangeSection(event.target);
        var taken = sectionRows().map(function (row) {
          var input = row.querySelector("input[name$='-position']");
          return input && row !== event.target ? Number(input.value) || 0 : 0;
        });
        var position = event.target.querySelector("input[name$='-position']");
        if (position) { position.value = Math.max.apply(null, taken.concat([0])) + 1; }
        event.target.querySelectorAll("textarea[name$='-body']").forEach(enhance);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
