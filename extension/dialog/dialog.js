// dialog.js — renders the warning dialog from the model the background script sends and returns
// the user's answer. All decisions (which buttons, where focus starts) are made in
// modules/dialog-model.js; this file only draws them.
//
// Guarantees: exactly one answer is sent per dialog; Escape means go back; every text comes from
// _locales; addresses are inserted as text, never as HTML.

import { findingSentence } from "../modules/words.js";
import { diffParts } from "../modules/dialog-model.js";

const token = new URLSearchParams(location.search).get("token");
const t = (key, subs) => messenger.i18n.getMessage(key, subs);
const locale = messenger.i18n.getUILanguage();
const FIELD_KEYS = { to: "fieldTo", cc: "fieldCc", bcc: "fieldBcc", replyTo: "fieldReplyTo", followupTo: "fieldFollowupTo" };
const $ = (id) => document.getElementById(id);
document.documentElement.lang = messenger.i18n.getUILanguage(); // screen readers pick the voice
let answered = false;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("aria-") || k === "role" || k === "for") node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function answer(action) {
  if (answered) return;
  answered = true;
  const keep = [...document.querySelectorAll("input.keep-box:checked")].map((b) => Number(b.dataset.recipient));
  messenger.runtime.sendMessage({ type: "dialog-answer", token, answer: { action, keep } })
    .finally(() => window.close());
}

/** The typed mailbox with the differing part of its address marked. */
function typedNode(row) {
  const span = el("span", { class: "typed" });
  if (!row.suggestion) {
    span.append(row.typed);
    return span;
  }
  const parts = diffParts(row.address, row.suggestion);
  const at = row.typed.lastIndexOf(row.address);
  if (at < 0) {
    span.append(row.typed);
    return span;
  }
  span.append(row.typed.slice(0, at) + parts.prefix, el("mark", {}, parts.typed),
              parts.suffix + row.typed.slice(at + row.address.length));
  return span;
}

function suggestionNode(row) {
  const parts = diffParts(row.address, row.suggestion);
  return el("div", { class: "suggestion" },
            el("span", { class: "sr-only" }, t("suggestionLabel") + " "),
            parts.prefix, el("ins", {}, parts.suggested), parts.suffix);
}

/** The technical line under "Why?": the finding's code, the host's confidence and the name of
 * its sentence (message_id) — never the host's English `message`, which the sentence above
 * already says in the user's language. */
function techLine(f) {
  const conf = typeof f.confidence === "number" ? ` (${Math.round(f.confidence * 100)} %)` : "";
  const id = f.message_id && f.message_id !== f.code ? ` · ${f.message_id}` : "";
  return el("li", {}, el("code", {}, f.code), conf, id);
}

function renderRow(row, model, blockedTlds) {
  const [top, ...rest] = row.findings;
  const body = el("div", { class: "body" }, typedNode(row));
  if (row.list) body.append(" ", el("span", { class: "list" }, t("fromList", [row.list])));
  if (row.suggestion) body.append(suggestionNode(row));
  body.append(el("p", { class: "sentence" }, findingSentence(top, row.typed, t, locale, { blockedTlds })));
  const why = el("details", {}, el("summary", {}, t("whyLabel")));
  const list = el("ul");
  for (const f of rest) list.append(el("li", {}, findingSentence(f, row.typed, t, locale, { blockedTlds })));
  for (const f of row.findings) list.append(techLine(f));
  why.append(list);
  body.append(why);
  if (row.canKeep && model.buttons.fix.shown) {
    const id = `keep-${row.recipient}`;
    const box = el("input", { type: "checkbox", id, class: "keep-box" });
    box.dataset.recipient = String(row.recipient);
    body.append(el("label", { class: "keep", for: id }, box, " ", t("keepAsTyped", [row.address])));
  }
  return el("li", { class: `row ${row.severity}` },
            el("span", { class: "field" }, t(FIELD_KEYS[row.field] ?? "fieldTo")), body);
}

function render({ model, extra }) {
  const blockedTlds = extra?.blockedTlds ?? [];
  if (model.mode === "failed") {
    $("title-text").textContent = t("dialogFailedTitle");
    $("intro").textContent = `${t(model.reason || "failureMissing")} ${t("failedClosedNote")}`;
  } else {
    $("title-text").textContent = t(model.mode === "check" ? "dialogTitleCheck" : "dialogTitle");
    $("intro").textContent = t("dialogIntro");
  }
  document.title = $("title-text").textContent;
  for (const row of model.rows) $("rows").append(renderRow(row, model, blockedTlds));
  if (model.info.length > 0) {
    $("info").hidden = false;
    $("info-heading").textContent = t("infoHeading");
    for (const row of model.info) {
      const sentence = findingSentence(row.findings[0], row.typed, t, locale, { blockedTlds });
      $("info-rows").append(el("li", {}, `${t(FIELD_KEYS[row.field] ?? "fieldTo")} ${row.address}: ${sentence}`));
    }
  }
  const fix = $("fix-and-send");
  const send = $("send-anyway");
  const back = $("go-back");
  fix.textContent = t(model.mode === "check" ? "buttonFix" : "buttonFixAndSend");
  send.textContent = t("buttonSendAnyway");
  back.textContent = t(model.mode === "check" ? "buttonClose" : "buttonGoBack");
  fix.hidden = !model.buttons.fix.shown;
  fix.disabled = !model.buttons.fix.enabled;
  $("send-anyway-wrap").hidden = !model.buttons.send.shown;
  send.disabled = !model.buttons.send.enabled;
  if (model.buttons.send.shown && model.buttons.send.why) {
    const why = t(model.buttons.send.why);
    $("send-anyway-why").textContent = why;
    $("send-anyway-why").hidden = false;
    $("send-anyway-wrap").title = why; // a disabled button gets no hover events; its wrapper does
    send.setAttribute("aria-describedby", "send-anyway-why");
  }
  fix.addEventListener("click", () => answer("fix"));
  send.addEventListener("click", () => answer("send"));
  back.addEventListener("click", () => answer("back"));
  $("dialog").setAttribute("aria-busy", "false");
  $(model.focus)?.focus();
  document.documentElement.dataset.ready = "true"; // for tests: the dialog is drawn
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    answer("back");
  }
});

messenger.runtime.sendMessage({ type: "dialog-ready", token }).then((data) => {
  if (!data) {
    window.close(); // the send this dialog belonged to is already decided
    return;
  }
  render(data);
});
