// The dialog's sentences in English, German and French, and the consistency of _locales
// (extension/modules/words.js, extension/_locales/*/messages.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { findingSentence, countryName } from "../../extension/modules/words.js";
import { localeMessages, EXTENSION_DIR } from "./fake-messenger.mjs";

const LANGS = ["en", "de", "fr"];
const F = {
  tld: { code: "tld_confusion", severity: "block", address: "john.doe@army.ml", domain: "army.ml", suggestion: "john.doe@army.mil" },
  tldCo: { code: "tld_confusion", severity: "warn", address: "a@gmail.co", domain: "gmail.co", suggestion: "a@gmail.com" },
  near: { code: "near_miss", severity: "warn", address: "ops@gmial.com", domain: "gmial.com", suggestion: "ops@gmail.com" },
  dot: { code: "near_miss", severity: "warn", address: "x@usarmy.mil", domain: "usarmy.mil", suggestion: "x@us.army.mil" },
  invalid: { code: "invalid_tld", severity: "block", address: "a@gmail.con", domain: "gmail.con", suggestion: "a@gmail.com" },
  homo: { code: "homoglyph", severity: "block", address: "a@аrmy.mil", domain: "аrmy.mil", suggestion: "a@army.mil" },
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
  // A future sentence name, or args missing a value: the generic homoglyph sentence.
  homoFuture: { code: "homoglyph", severity: "warn", address: "a@аrmy.mil", domain: "аrmy.mil", suggestion: "a@army.mil",
                message_id: "homoglyph.future", args: { char: "а" } },
  blockedTld: { code: "blocked", severity: "block", address: "a@army.ml", domain: "army.ml", message: "mail to .ml is blocked by policy" },
  blockedDomain: { code: "blocked", severity: "block", address: "a@evil.example", domain: "evil.example", message: "evil.example is blocked by policy" },
  syntax: { code: "syntax", severity: "block", address: "john.doe@" },
  contact: { code: "contact_near_miss", severity: "warn", address: "jon.doe@army.mil", domain: "army.mil", suggestion: "john.doe@army.mil" },
  wrong: { code: "wrong_address", severity: "warn", address: "jsmith@gmail.com", domain: "gmail.com", suggestion: "john.smith@army.mil", replacement: "John Smith <john.smith@army.mil>" },
  external: { code: "external", severity: "info", address: "a@example.org", domain: "example.org" },
  first: { code: "first_contact", severity: "info", address: "a@example.org", domain: "example.org" },
  unknown: { code: "future_code", severity: "warn", address: "a@b.org", message: "Something new" },
};

const EN = {
  tld: "army.ml is in Mali's .ml domain. You write to army.mil.",
  tldCo: "gmail.co is in Colombia's .co domain. You write to gmail.com.",
  near: "gmial.com looks like a typo of gmail.com.",
  dot: "usarmy.mil looks like us.army.mil without its dot.",
  invalid: "gmail.con does not exist: .con is not a domain ending. Did you mean gmail.com?",
  homo: "This address uses a Cyrillic letter that looks like a Latin one: it imitates army.mil.",
  homoScript: "gmаil.com imitates gmail.com: the “а” here is a Cyrillic letter, not a Latin “a”.",
  homoMark: "gmáil.com imitates gmail.com: the “á” here is “a” with a mark added.",
  homoLetter: "gmaıl.com imitates gmail.com: the “ı” here is not “i” but another letter (dotless i).",
  homoAscii: "hotrnail.com imitates hotmail.com: “rn” here reads as “m”.",
  homoFuture: "This address uses a Cyrillic letter that looks like a Latin one: it imitates army.mil.",
  blockedTld: "Your organisation does not allow mail to .ml addresses.",
  blockedDomain: "Your organisation does not allow mail to evil.example.",
  syntax: "This is not a complete email address.",
  contact: "You usually write to john.doe@army.mil, not jon.doe@army.mil.",
  wrong: "John Smith is usually written to at john.smith@army.mil, not at this address.",
  external: "Outside your organisation.",
  first: "First message to this domain.",
  unknown: "Something new",
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
      if (f.suggestion && name !== "homo" && name !== "contact" && name !== "wrong") {
        assert.ok(s.includes(f.suggestion.split("@")[1]), `${lang} ${name} names the meant domain: ${s}`);
      }
    }
  });
}

test("the foreign glyph is named in the UI language", () => {
  const de = findingSentence(F.homoScript, F.homoScript.address, localeMessages("de").getMessage, "de");
  assert.equal(de, "gmаil.com ahmt gmail.com nach: Das „а“ hier ist ein Buchstabe der Schrift Kyrillisch, kein lateinisches „a“.");
  const fr = findingSentence(F.homoAscii, F.homoAscii.address, localeMessages("fr").getMessage, "fr");
  assert.equal(fr, "hotrnail.com imite hotmail.com : « rn » se lit ici comme « m ».");
  const frScript = findingSentence(F.homoScript, F.homoScript.address, localeMessages("fr").getMessage, "fr");
  assert.match(frScript, /cyrillique/);
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
