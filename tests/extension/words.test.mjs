// The dialog's sentences in English, German and French, and the consistency of _locales
// (extension/modules/words.js, extension/_locales/*/messages.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { findingSentence, countryName } from "../../extension/modules/words.js";
import { localeMessages, EXTENSION_DIR, HOST_REPLIES, recordedFinding } from "./fake-messenger.mjs";

const LANGS = ["en", "de", "fr"];
// Findings as the host sends them, recorded from typoguard-host (fixtures/host-replies.json, by
// record-replies.py): message_id and args name the sentence and its values (host/lib/finding.h);
// `message` is the host's English sentence, which the dialog never reads (two of them say
// IGNORED here, so that reading it would show).
const R = recordedFinding;
const F = {
  tld: { ...R("key case"), message: "IGNORED" },
  tldCo: R("tldCo"),
  tldCam: R("tldCam"),
  tldNofix: R("tldNofix"),
  near: { ...R("near"), message: "IGNORED" },
  dot: R("dot"),
  hyphen: R("hyphen"),
  invalid: R("invalid"),
  dotless: R("dotless"),
  dotlessPlain: R("dotlessPlain"),
  homo: R("homo"),
  homoScript: R("homoScript"),
  homoMark: R("homoMark"),
  homoLetter: R("homoLetter"),
  homoAscii: R("homoAscii"),
  homoMixed: R("homoMixed"),
  blockedTld: R("blockedTld", "blocked"),
  blockedDomain: R("blockedDomain", "blocked"),
  syntax: R("syntax"),
  contact: R("contact"),
  wrong: R("wrong"),
  wrongOther: R("wrongOther"),
  namesake: R("namesake"),
  external: R("external", "external"),
  first: R("first"),
  // Not recorded: findings this host does not send.
  // The general homoglyph sentence (message_id "homoglyph": a lookalike of no known kind); no
  // recorded request makes the host use it, the message_id test below covers its template.
  homoPlain: { code: "homoglyph", severity: "block", address: "a@аrmy.mil", domain: "аrmy.mil",
               suggestion: "a@army.mil", message_id: "homoglyph",
               args: { domain: "аrmy.mil", intended: "army.mil" } },
  // A future sentence name, or args missing a value: the code's general sentence.
  homoFuture: { code: "homoglyph", severity: "warn", address: "a@аrmy.mil", domain: "аrmy.mil", suggestion: "a@army.mil",
                message_id: "homoglyph.future", args: { char: "а" } },
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
  dotless: "gmail is not a complete domain name. Did you mean gmail.com?",
  dotlessPlain: "zzqx is not a complete domain name: it needs an ending such as .com.",
  homo: "аrmy.mil is not army.mil: the “а” here is a Cyrillic letter, not a Latin “a”.",
  homoPlain: "аrmy.mil is not army.mil: one of its letters only looks the same.",
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
  for (const file of [["modules", "words.js"], ["dialog", "dialog.js"]]) {
    const src = readFileSync(path.join(EXTENSION_DIR, ...file), "utf8");
    assert.doesNotMatch(src.replace(/^\s*\/\/.*$|^\s*\*.*$/gm, ""), /\.message\b/, file.join("/"));
  }
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

// Every finding the real host sent while recording: the English dialog says its `message`.
test("the English dialog says what the recorded host said, for every recorded finding", () => {
  const { getMessage } = localeMessages("en");
  let n = 0;
  for (const { name, reply } of HOST_REPLIES.exchanges) {
    for (const f of reply.findings ?? []) {
      if (f.message_id === "syntax.reason") continue; // the parser's reason is English only
      const said = findingSentence(f, f.address, getMessage, "en");
      assert.equal(said, f.message, `${name}: ${f.message_id}`);
      n++;
    }
  }
  assert.ok(n >= 30, `${n} findings`);
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
