/*
 * The article form checks its own size before the browser sends it.
 *
 * The server reads at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes of a form's fields; a bigger form
 * is refused after the browser has left the page (editorial/request_size.py answers it). Here
 * the editor is told on the form itself, before anything is sent, and keeps every word typed.
 * The size is counted as Django counts a multipart form: each field's name and value in UTF-8,
 * with the line breaks the browser sends as CRLF, plus two bytes a field; files are not counted.
 */
"use strict";

(function () {
  const note = document.getElementById("form-size-error");
  const most = note ? Number(note.dataset.maxBytes) : 0;
  if (!note || !most) {
    return;
  }
  const form = note.closest("form");
  const encoder = new TextEncoder();
  // MB of 1,000,000 bytes, as browsers, the server's "too large" page and the README say.
  const megabytes = (size) => `${(size / 1e6).toFixed(1)} MB`;

  function bytes(text) {
    return encoder.encode(text).length + (text.match(/\n/g) || []).length;
  }

  // The heading a section shows now: the standard heading chosen, else the custom one, else the
  // saved one. Never the heading's whole text: editor.js puts the section's buttons in it.
  function sectionHeading(row) {
    const chosen = row.querySelector("select[name$='-heading'] option:checked");
    const custom = row.querySelector("input[name$='-custom_heading']");
    const saved = row.querySelector("h3 .inline_label");
    for (const text of [chosen?.value ? chosen.textContent : "", custom?.value, saved?.textContent]) {
      const heading = (text || "").replace(/\s+/g, " ").trim();
      if (heading && !/^#\d+$/.test(heading)) {
        return heading;
      }
    }
    return "";
  }

  // A field as the editor reads it on the form: “Summary”, “Body” of section “Treatment”.
  function name(field) {
    const label = field.id ? form.querySelector(`label[for="${field.id}"]`) : null;
    const what = label ? label.textContent.replace(/:\s*$/, "").trim() : field.name;
    const row = field.closest(".inline-related");
    const kind = row?.querySelector("h3 > b")?.textContent.replace(/:\s*$/, "").trim().toLowerCase();
    if (!kind) {
      return `“${what}”`;
    }
    const heading = sectionHeading(row);
    return heading ? `“${what}” of ${kind} “${heading}”` : `“${what}” of a new ${kind}`;
  }

  form.addEventListener("submit", (event) => {
    let total = 0;
    let largest = null;
    let largestSize = -1;
    for (const field of form.elements) {
      if (!field.name || field.disabled || field.type === "file") {
        continue;
      }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) {
        continue;
      }
      const size = bytes(field.name) + bytes(field.value) + 2;
      total += size;
      if (size > largestSize) {
        largest = field;
        largestSize = size;
      }
    }
    if (total <= most) {
      note.hidden = true;
      return;
    }
    event.preventDefault();
    const characters = [...largest.value].length.toLocaleString("en-US");
    note.textContent =
      `Nothing was sent: this form holds ${megabytes(total)} of text, and the server reads at most ` +
      `${megabytes(most)} of one form (${megabytes(total - most)} too much). The largest text is ` +
      `${name(largest)}, ${characters} characters. Your text is still here: shorten it, then save again.`;
    note.hidden = false;
    note.scrollIntoView({ block: "center" });
    largest.focus();
  });
})();
