// options.js — edits the user's settings in storage.local ({settings: {...}}) and shows what the
// administrator set through storage.managed as locked: a locked field is read-only and shows
// the administrator's value, so the page never suggests a choice that will not apply.

import { sanitize, lockedKeys, DEFAULTS } from "../modules/settings.js";

const t = (key, subs) => messenger.i18n.getMessage(key, subs);
const $ = (id) => document.getElementById(id);
document.documentElement.lang = messenger.i18n.getUILanguage(); // screen readers pick the voice
const LIST_KEYS = ["org_domains", "trusted_domains"];
const LEVEL_KEYS = ["flag_external", "first_contact"];

for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
document.title = t("optionsTitle");

async function readManaged() {
  try {
    return sanitize(await messenger.storage.managed.get());
  } catch (e) {
    return {};
  }
}

async function load() {
  const policy = await readManaged();
  const { settings: stored } = await messenger.storage.local.get("settings");
  const settings = sanitize(stored);
  const locked = new Set(lockedKeys(policy));
  for (const key of LIST_KEYS) $(key).value = (settings[key] ?? []).join("\n");
  for (const key of LEVEL_KEYS) $(key).value = settings[key] ?? DEFAULTS[key];
  $("learn").checked = settings.learn ?? DEFAULTS.learn;
  for (const key of [...LIST_KEYS, ...LEVEL_KEYS, "learn"]) {
    if (!locked.has(key)) continue;
    const note = $(`${key}-locked`);
    note.hidden = false;
    if (LIST_KEYS.includes(key)) {
      // Lists from all sources are merged: the user's own entries still count, so the field
      // stays editable and the administrator's entries are shown beside it.
      note.textContent = `${t("optionsLocked")}: ${policy[key].join(", ")}`;
      continue;
    }
    if (key === "learn") $(key).checked = policy.learn;
    else $(key).value = policy[key];
    $(key).disabled = true;
    note.textContent = t("optionsLocked");
  }
  const dl = $("admin");
  dl.replaceChildren();
  if (locked.size === 0) {
    dl.replaceWith(Object.assign(document.createElement("p"), { id: "admin", textContent: t("optionsNoAdmin") }));
  } else {
    // Every administrator key, in words, with the policy key beside it for the administrator.
    for (const key of locked) {
      const dt = document.createElement("dt");
      dt.append(ADMIN_LABELS[key] ? t(ADMIN_LABELS[key]) : key, " ",
                Object.assign(document.createElement("code"), { textContent: key }));
      const dd = document.createElement("dd");
      dd.textContent = adminValue(key, policy[key]);
      dl.append(dt, dd);
    }
  }
  return locked;
}

const ADMIN_LABELS = {
  org_domains: "optionsOrgDomains",
  trusted_domains: "optionsTrustedDomains",
  blocked_domains: "optionsBlockedDomains",
  blocked_tlds: "optionsBlockedEndings",
  flag_external: "optionsFlagExternal",
  first_contact: "optionsFirstContact",
  allow_override: "optionsAllowOverride",
  fail_mode: "optionsFailMode",
  learn: "optionsLearn",
  trusted_domains_file: "optionsTrustedDomainsFile",
  blocked_domains_file: "optionsBlockedDomainsFile",
};
const LEVEL_WORDS = { off: "levelOff", info: "levelInfo", warn: "levelWarn" };

/** An administrator's value as the page's own fields would say it. */
function adminValue(key, v) {
  if (Array.isArray(v)) {
    return v.map((x) => (key === "blocked_tlds" ? `.${x.replace(/^\./, "")}` : x)).join(", ");
  }
  if (typeof v === "boolean") return t(v ? "optionsYes" : "optionsNo");
  if (LEVEL_KEYS.includes(key)) return t(LEVEL_WORDS[v]) || String(v);
  if (key === "fail_mode") return t(v === "closed" ? "optionsFailClosed" : "optionsFailOpen");
  return String(v);
}

let lockedNow = new Set();

$("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const next = {};
  for (const key of LIST_KEYS) next[key] = $(key).value.split(/[\s,;]+/).filter(Boolean);
  for (const key of LEVEL_KEYS) if (!lockedNow.has(key)) next[key] = $(key).value;
  if (!lockedNow.has("learn")) next.learn = $("learn").checked;
  const { settings: stored } = await messenger.storage.local.get("settings");
  await messenger.storage.local.set({ settings: sanitize({ ...sanitize(stored), ...next }) });
  $("status").textContent = t("optionsSaved");
});

$("test-helper").addEventListener("click", async () => {
  $("helper-status").textContent = "…";
  const r = await messenger.runtime.sendMessage({ type: "options-test-host" });
  $("helper-status").textContent = r?.ok ? t("optionsHelperOk", [r.version]) : `${t("failureMissing")} (${r?.error ?? ""})`;
});

load().then((locked) => {
  lockedNow = locked;
});
