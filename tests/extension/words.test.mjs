// The dialog's sentences in English, German and French, and the consistency of _locales
// (extension/modules/words.js, extension/_locales/*/messages.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { findingSentence, countryName } from "../../extension/modules/words.js";
import { localeMessages, EXTENSION_DIR } from "./fake-messenger.mjs";

const LANGS = ["en", "de", "fr"];
// Findings as the host sends them: message_id and args name the sentence and its values
// (host/lib/finding.h); `message` is the host's English sentence, which the dialog never reads.
const F = {
  tld: { code: "tld_confusion", severity: "block", address: "john.doe@army.ml", domain: "army.ml", suggestion: "john.doe@army.mil",
         message: "IGNORED", message_id: "tld_confusion.own",
         args: { domain: "army.ml", tld: "ml", intended: "army.mil", owner: "Mali" } },
  tldCo: { code: "tld_confusion", severity: "warn", address: "a@gmail.co", domain: "gmail.co", suggestion: "a@gmail.com",
           message_id: "tld_confusion.wellknown", args: { domain: "gmail.co", tld: "co", intended: "gmail.com", owner: "Colombia" } },
  tldCam: { code: "tld_confusion", severity: "warn", address: "a@gmail.cam", domain: "gmail.cam", suggestion: "a@gmail.com",
            message_id: "tld_confusion.wellknown",
            args: { domain: "gmail.cam", tld: "cam", intended: "gmail.com", owner: "a commercial registry" } },
  tldNofix: { code: "tld_confusion", severity: "warn", address: "a@wickes.il", domain: "wickes.il",
              message_id: "tld_confusion.nofix", args: { domain: "wickes.il", tld: "il", intended: "mil", owner: "Israel" } },
  near: { code: "near_miss", severity: "warn", address: "ops@gmial.com", domain: "gmial.com", suggestion: "ops@gmail.com",
          message: "IGNORED", message_id: "near_miss", args: { domain: "gmial.com", intended: "gmail.com" } },
  dot: { code: "near_miss", severity: "warn", address: "x@usarmy.mil", domain: "usarmy.mil", suggestion: "x@us.army.mil",
         message_id: "near_miss.dot", args: { domain: "usarmy.mil", intended: "us.army.mil" } },
  hyphen: { code: "near_miss", severity: "warn", address: "x@examplecorp.com", domain: "examplecorp.com",
            suggestion: "x@example-corp.com",
            message_id: "near_miss.hyphen", args: { domain: "examplecorp.com", intended: "example-corp.com" } },
  invalid: { code: "invalid_tld", severity: "block", address: "a@gmail.con", domain: "gmail.con", suggestion: "a@gmail.com",
             message_id: "invalid_tld", args: { domain: "gmail.con", tld: "con", intended: "gmail.com" } },
  dotless: { code: "invalid_tld", severity: "block", address: "a@gmail", domain: "gmail",
             message_id: "invalid_tld.dotless_plain", args: { domain: "gmail", tld: "gmail" } },
  homo: { code: "homoglyph", severity: "block", address: "a@аrmy.mil", domain: "аrmy.mil", suggestion: "a@army.mil",
          message_id: "homoglyph", args: { domain: "аrmy.mil", intended: "army.mil" } },
  homoScript: { code: "homoglyph", severity: "warn", address: "a@gmаil.com", domain: "gmаil.com", suggestion: "a@gmail.com",
                message_id: "homoglyph.script",
                args: { domain: "gmаil.com", intended: "gmail.com", char: "а", looks_like: "a", script: "Cyrillic", script_code: "Cyrl", kind: "script" } },
  homoMark: { code: "homoglyph", severity: "warn", address: "a@gmáil.com", domain: "gmáil.com", suggestion: "a@gmail.com",
              message_id: "homoglyph.mark", args: { domain: "gmáil.com", intended: "gmail.com", char: "á", looks_like: "a", kind: "mark" } },
  homoLetter: { code: "homoglyph", severity: "block", address: "a@gmaıl.com", domain: "gmaıl.com", suggestion: "a@gmail.com",
                message_id: "homoglyph.letter",
                args: { domain: "gmaıl.com", intended: "gmail.com", char: "ı", looks_like: "i", description: "dotless i", kind: "letter" } },
  homoAscii: { code: "homoglyph", severity: "warn", address: "a@hotrnail.com", domain: "hotrnail.com", suggestion: "a@hotmail.com",
               message_id: "homoglyph.ascii", args: { domain: "hotrnail.com", intended: "hotmail.com", char: "rn", looks_like: "m", kind: "ascii" } },
  homoMixed: { code: "homoglyph", severity: "warn", address: "a@pаypal-login.org", domain: "pаypal-login.org",
               message_id: "homoglyph.mixed", args: { domain: "pаypal-login.org", script: "Cyrillic" } },
  // A future sentence name, or args missing a value: the code's general sentence.
  homoFuture: { code: "homoglyph", severity: "warn", address: "a@аrmy.mil", domain: "аrmy.mil", suggestion: "a@army.mil",
                message_id: "homoglyph.future", args: { char: "а" } },
  blockedTld: { code: "blocked", severity: "block", address: "a@army.ml", domain: "army.ml",
                message_id: "blocked.tld", args: { domain: "army.ml", tld: "ml" } },
  blockedDomain: { code: "blocked", severity: "block", address: "a@evil.example", domain: "evil.example",
                   message_id: "blocked.domain", args: { domain: "evil.example" } },
  syntax: { code: "syntax", severity: "block", address: "john.doe@", message_id: "syntax.incomplete", args: {} },
  contact: { code: "contact_near_miss", severity: "warn", address: "jon.doe@army.mil", domain: "army.mil", suggestion: "john.doe@army.mil",
             message_id: "contact_near_miss",
             args: { domain: "army.mil", intended: "john.doe@army.mil", address: "jon.doe@army.mil" } },
  wrong: { code: "wrong_address", severity: "warn", address: "jsmith@gmail.com", domain: "gmail.com", suggestion: "john.smith@army.mil",
           replacement: "John Smith <john.smith@army.mil>", message_id: "wrong_address",
           args: { domain: "gmail.com", intended: "john.smith@army.mil", address: "jsmith@gmail.com", name: "John Smith" } },
  wrongOther: { code: "wrong_address", severity: "warn", address: "jsmith@acme.com", domain: "acme.com", suggestion: "john.smith@army.mil",
                message_id: "wrong_address.other",
                args: { domain: "acme.com", intended: "john.smith@army.mil", address: "jsmith@acme.com", name: "John Smith" } },
  namesake: { code: "wrong_address", severity: "info", address: "jsmith@acme.com", domain: "acme.com", suggestion: "john.smith@army.mil",
              message_id: "wrong_address.namesake",
              args: { domain: "acme.com", intended: "john.smith@army.mil", address: "jsmith@acme.com", name: "John Smith" } },
  external: { code: "external", severity: "info", address: "a@example.org", domain: "example.org", message_id: "external", args: {} },
  first: { code: "first_contact", severity: "info", address: "a@example.org", domain: "example.org", message_id: "first_contact", args: {} },
  // An older host without message_id: worded from the code and the finding's fields.
  oldHost: { code: "near_miss", severity: "warn", address: "ops@gmial.com", domain: "gmial.com", suggestion: "ops@gmail.com",
             message: "IGNORED" },
  unknown: { code: "future_code", severity: "warn", address: "a@b.org", message: "Something new" },
};

// The host's own sentences (host/lib/finding.h): the dialog must say the same in English.
const EN = {
  tld: "army.ml is in Mali (.ml). Did you mean army.mil?",
  tldCo: "gmail.co is in Colombia (.co). Did you mean gmail.com?",
  tldCam: "gmail.cam is in a commercial registry (.cam). Did you mean gmail.com?",
  tldNofix: "wickes.il is in Israel (.il), not in .mil: check the address.",
  near: "gmial.com looks like a typo. Did you mean gmail.com?",
  dot: "usarmy.mil is missing a dot. Did you mean us.army.mil?",
  hyphen: "examplecorp.com is missing a hyphen. Did you mean example-corp.com?",
  invalid: "gmail.con does not exist: .con is not a domain ending. Did you mean gmail.com?",
  dotless: "gmail is not a complete domain name: it needs an ending such as .com.",
  homo: "аrmy.mil is not army.mil: one of its letters only looks the same.",
  homoScript: "gmаil.com is not gmail.com: the “а” here is a Cyrillic letter, not a Latin “a”.",
  homoMark: "gmáil.com is not gmail.com: the “á” here is “a” with a mark added.",
  homoLetter: "gmaıl.com is not gmail.com: the “ı” here is another letter (dotless i), not “i”.",
  homoAscii: "hotrnail.com is not hotmail.com: it has “rn” where hotmail.com has “m”.",
  homoMixed: "pаypal-login.org mixes Cyrillic and Latin letters that look alike: check the address.",
  homoFuture: "аrmy.mil is not army.mil: one of its letters only looks the same.",
  blockedTld: "Your organisation does not allow mail to .ml addresses.",
  blockedDomain: "Your organisation does not allow mail to evil.example.",
  syntax: "This is not a complete email address.",
  contact: "jon.doe@army.mil differs slightly from the known address john.doe@army.mil. Did you mean john.doe@army.mil?",
  wrong: "This is a personal address of John Smith. Did you mean john.smith@army.mil?",
  wrongOther: "jsmith@acme.com is not the known address of John Smith. Did you mean john.smith@army.mil?",
  namesake: "Two contacts are named John Smith. With these recipients, did you mean john.smith@army.mil?",
  external: "Outside your organisation.",
  first: "First message to this domain.",
  oldHost: "gmial.com looks like a typo. Did you mean gmail.com?",
  unknown: "This address may be wrong.",
};

for (const [name, sentence] of Object.entries(EN)) {
  test(`English sentence: ${name}`, () => {
    const { getMessage } = localeMessages("en");
    assert.equal(findingSentence(F[name], F[name].address, getMessage, "en"), sentence);
  });
}

for (const lang of ["de", "fr"]) {
  test(`${lang}: every finding has its own sentence, with the domains filled in`, () => {
    const { getMessage } = localeMessages(lang);
    const en = localeMessages("en").getMessage;
    for (const [name, f] of Object.entries(F)) {
      if (name === "unknown") continue;
      const s = findingSentence(f, f.address, getMessage, lang);
      assert.ok(s.length > 0 && !s.includes("$"), `${lang} ${name}: ${s}`);
      assert.notEqual(s, findingSentence(f, f.address, en, "en"), `${lang} ${name} is not translated`);
      if (f.suggestion) {
        assert.ok(s.includes(f.suggestion.split("@")[1]), `${lang} ${name} names the meant domain: ${s}`);
      }
    }
  });
}

test("the foreign glyph is named in the UI language", () => {
  const de = findingSentence(F.homoScript, F.homoScript.address, localeMessages("de").getMessage, "de");
  assert.equal(de, "gmаil.com ist nicht gmail.com: Das „а“ hier ist ein Buchstabe der Schrift Kyrillisch, kein lateinisches „a“.");
  const fr = findingSentence(F.homoAscii, F.homoAscii.address, localeMessages("fr").getMessage, "fr");
  assert.equal(fr, "hotrnail.com n'est pas hotmail.com : il a « rn » là où hotmail.com a « m ».");
  const frScript = findingSentence(F.homoScript, F.homoScript.address, localeMessages("fr").getMessage, "fr");
  assert.match(frScript, /cyrillique/);
});

test("the dialog never reads the host's English message", () => {
  const { getMessage } = localeMessages("de");
  for (const [name, f] of Object.entries(F)) {
    const s = findingSentence(f, f.address, getMessage, "de");
    assert.ok(!s.includes("IGNORED") && s !== f.message, `${name}: ${s}`);
  }
  const src = readFileSync(path.join(EXTENSION_DIR, "modules", "words.js"), "utf8");
  assert.doesNotMatch(src.replace(/^\s*\/\/.*$|^\s*\*.*$/gm, ""), /\.message\b/);
});

// host/lib/finding.h's message table: message_id (as tg_message_name makes it) -> template.
function hostSentences() {
  const header = readFileSync(path.join(EXTENSION_DIR, "..", "host", "lib", "finding.h"), "utf8");
  const table = header.slice(header.indexOf("#define TG_MESSAGE_TABLE"), header.indexOf("#define TG_MSG_ENUM_"));
  const out = new Map();
  for (const [, msg, code, body] of table.matchAll(/X\(TG_MSG_(\w+), TG_CODE_(\w+),((?:\s*\\?\s*"(?:[^"\\]|\\.)*")+)\)/g)) {
    const low = msg.toLowerCase(), c = code.toLowerCase();
    const id = low.startsWith(c + "_") ? c + "." + low.slice(c.length + 1) : low;
    const text = [...body.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join("")
      .replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    out.set(id, text);
  }
  return out;
}

// The dialog, in English, says exactly what `typoguard-host --check` prints (the same table),
// for every sentence the host can name. Only syntax.reason differs: the parser's reason is in
// English only, so the dialog says "This is not a valid email address." without it.
test("the English dialog says what the host says, for every message_id", () => {
  const host = hostSentences();
  assert.ok(host.size >= 28, [...host.keys()].join(" "));
  const { getMessage } = localeMessages("en");
  const args = { domain: "x.example", tld: "example", intended: "y.example", owner: "Mali", address: "a@x.example",
                 name: "Ann", char: "а", looks_like: "a", description: "dotless i", script: "Cyrillic",
                 script_code: "Cyrl", reason: "r" };
  for (const [id, template] of host) {
    const code = id.split(".")[0];
    const dialog = findingSentence({ code, message_id: id, args, address: "a@x.example", suggestion: "a@y.example" },
                                   "a@x.example", getMessage, "en");
    const cli = template.replace(/\{(\w+)\}/g, (_, k) => args[k] ?? "");
    if (id === "syntax.reason") {
      assert.equal(dialog, "This is not a valid email address.", id);
      continue;
    }
    assert.equal(dialog, cli, id);
  }
});

test("country names come from the UI language", () => {
  assert.equal(countryName("ml", "en"), "Mali");
  assert.equal(countryName("co", "de"), "Kolumbien");
  assert.equal(countryName("cm", "fr"), "Cameroun");
  assert.equal(countryName("com", "en"), null);
  assert.equal(countryName("zz", "en"), null);
  const { getMessage } = localeMessages("de");
  assert.match(findingSentence(F.tld, F.tld.address, getMessage, "de"), /Mali/);
});

test("no jargon in what the user reads", () => {
  for (const lang of LANGS) {
    const { messages } = localeMessages(lang);
    for (const [key, v] of Object.entries(messages)) {
      assert.doesNotMatch(v.message, /\bTLD\b|punycode|levenshtein|homoglyph/i, `${lang} ${key}`);
    }
  }
});

test("every locale has the same keys and placeholders", () => {
  const en = localeMessages("en").messages;
  for (const lang of LANGS) {
    const m = localeMessages(lang).messages;
    assert.deepEqual(Object.keys(m).sort(), Object.keys(en).sort(), lang);
    for (const key of Object.keys(en)) {
      assert.deepEqual(Object.keys(m[key].placeholders ?? {}).sort(), Object.keys(en[key].placeholders ?? {}).sort(), `${lang} ${key}`);
      for (const ph of (m[key].message.match(/\$[A-Z_]+\$/g) ?? [])) {
        assert.ok(m[key].placeholders?.[ph.slice(1, -1).toLowerCase()], `${lang} ${key} ${ph} undefined`);
      }
    }
  }
});

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

test("every message key the extension uses exists", () => {
  const en = localeMessages("en").messages;
  const used = new Set();
  const keyLike = /^(finding|failure|button|dialog|options|level|script|field|check|keep|send|suggestion|from|info|why|extension)[A-Z]\w*$/;
  for (const file of walk(EXTENSION_DIR).filter((p) => /\.(js|html|json)$/.test(p) && !p.includes("_locales"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/["'`]([a-z][A-Za-z]+)["'`]/g)) if (keyLike.test(m[1])) used.add(m[1]);
    for (const m of text.matchAll(/__MSG_(\w+)__/g)) used.add(m[1]);
  }
  assert.ok(used.size > 40, `found ${used.size} keys`);
  for (const key of used) assert.ok(en[key], `missing message ${key}`);
});
