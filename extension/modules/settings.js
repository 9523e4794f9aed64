// settings.js — the settings keys of DESIGN.md ("Settings and policy"), their types, and how the
// extension merges the administrator's (storage.managed → `policy`) with the user's
// (storage.local, the options page → `settings`).
//
// Guarantees: sanitize() keeps only known keys with values of the right type, so a typo in a
// policies.json never reaches the host as garbage; administrator values always win; lists are
// merged; unknown or invalid values fall back to the documented defaults.

export const LEVELS = ["off", "info", "warn"];
export const FAIL_MODES = ["open", "closed"];

/** key → kind; "list" is an array of strings, "level" one of LEVELS. */
export const SETTING_KINDS = Object.freeze({
  org_domains: "list",
  trusted_domains: "list",
  blocked_domains: "list",
  blocked_tlds: "list",
  flag_external: "level",
  first_contact: "level",
  allow_override: "bool",
  fail_mode: "failmode",
  learn: "bool",
  trusted_domains_file: "path",
  blocked_domains_file: "path",
});

export const DEFAULTS = Object.freeze({
  flag_external: "off",
  first_contact: "info",
  allow_override: false,
  fail_mode: "open",
  learn: true,
});

// Bounds so that a pathological managed-storage value cannot make every request huge.
export const MAX_LIST_ITEMS = 10000;
export const MAX_ITEM_LENGTH = 1024;

function cleanList(value) {
  // Accept a list or one string with commas / whitespace (as an administrator might type it).
  const raw = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[\s,;]+/) : null;
  if (!raw) return undefined;
  const out = [];
  for (const item of raw) {
    if (typeof item !== "string") continue;
    const t = item.trim().toLowerCase();
    if (t && t.length <= MAX_ITEM_LENGTH && !out.includes(t)) out.push(t);
    if (out.length >= MAX_LIST_ITEMS) break;
  }
  return out;
}

/** Returns a new object with only the known keys whose values have the right type. */
export function sanitize(obj) {
  const out = {};
  if (!obj || typeof obj !== "object") return out;
  for (const [key, kind] of Object.entries(SETTING_KINDS)) {
    if (!(key in obj)) continue;
    const v = obj[key];
    let clean;
    switch (kind) {
      case "list":
        clean = cleanList(v);
        break;
      case "level":
        clean = LEVELS.includes(v) ? v : undefined;
        break;
      case "failmode":
        clean = FAIL_MODES.includes(v) ? v : undefined;
        break;
      case "bool":
        clean = typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined;
        break;
      case "path":
        clean = typeof v === "string" && v.length > 0 && v.length <= MAX_ITEM_LENGTH ? v : undefined;
        break;
    }
    if (clean !== undefined) out[key] = clean;
  }
  return out;
}

/** Keys the administrator has set: the options page shows them read-only. */
export function lockedKeys(policy) {
  return Object.keys(sanitize(policy));
}

/**
 * The settings the extension itself acts on (fail_mode, allow_override, learn, levels): the
 * administrator's value when set, else the user's, else the default. `hostPolicy` is the
 * effective policy the host reported in its `hello` (it also knows /etc/typoguard/policy.conf);
 * its locked keys win over everything because an administrator set them; its other values are
 * ignored here.
 */
export function effective(policy, settings, hostPolicy) {
  const p = sanitize(policy);
  const s = sanitize(settings);
  const h = sanitize(hostPolicy);
  const hostLocked = new Set(Array.isArray(hostPolicy?.locked) ? hostPolicy.locked : []);
  const out = { ...DEFAULTS };
  for (const key of Object.keys(SETTING_KINDS)) {
    if (SETTING_KINDS[key] === "list") {
      const merged = [...(h[key] ?? []), ...(p[key] ?? []), ...(s[key] ?? [])];
      out[key] = [...new Set(merged)];
    } else if (hostLocked.has(key) && key in h) {
      out[key] = h[key];
    } else if (key in p) {
      out[key] = p[key];
    } else if (key in s) {
      out[key] = s[key];
    }
    // An unlocked host value is the host's default or the user's key file: the extension keeps
    // its own defaults then, so a host default can never loosen allow_override or fail_mode.
  }
  return out;
}
