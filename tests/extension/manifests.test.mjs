// The native-messaging templates and policy examples in manifest/ agree with the extension
// (its id, the host name) and are valid JSON once filled in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { EXTENSION_DIR } from "./fake-messenger.mjs";
import { sanitize } from "../../extension/modules/settings.js";
import { HOST_NAME } from "../../extension/modules/host.js";

const MANIFEST_DIR = path.resolve(EXTENSION_DIR, "../manifest");
const read = (name) => readFileSync(path.join(MANIFEST_DIR, name), "utf8");
const ext = JSON.parse(readFileSync(path.join(EXTENSION_DIR, "manifest.json"), "utf8"));
const ID = ext.browser_specific_settings.gecko.id;

test("the extension is typoguard@typoguard.org, MV3, with an event page and only the permissions it needs", () => {
  assert.equal(ID, "typoguard@typoguard.org");
  assert.equal(ext.manifest_version, 3);
  assert.deepEqual(ext.background.scripts, ["background.js"]);
  assert.equal(ext.background.type, "module");
  assert.deepEqual([...ext.permissions].sort(), ["addressBooks", "compose", "nativeMessaging", "notifications", "storage"]);
});

test("the Thunderbird/Firefox template names the host and allows the extension", () => {
  const m = JSON.parse(read("typoguard.mozilla.json.in").replace("@TG_HOST_PATH@", "/usr/lib/typoguard/typoguard-host"));
  assert.equal(m.name, HOST_NAME);
  assert.equal(m.type, "stdio");
  assert.deepEqual(m.allowed_extensions, [ID]);
});

test("the Chrome template uses allowed_origins", () => {
  const m = JSON.parse(read("typoguard.chrome.json.in").replace("@TG_HOST_PATH@", "/x").replace("@TG_CHROME_EXTENSION_ID@", "a".repeat(32)));
  assert.equal(m.name, HOST_NAME);
  assert.match(m.allowed_origins[0], /^chrome-extension:\/\/[a-p]{32}\/$/);
});

test("the policy examples carry only valid settings for this extension", () => {
  const ms = JSON.parse(read("managed-storage.typoguard@typoguard.org.json"));
  assert.equal(ms.name, ID);
  assert.equal(ms.type, "storage");
  assert.deepEqual(sanitize(ms.data), ms.data);
  const pol = JSON.parse(read("policies.json")).policies;
  assert.equal(pol.ExtensionSettings[ID].installation_mode, "force_installed");
  assert.deepEqual(sanitize(pol["3rdparty"].Extensions[ID]), pol["3rdparty"].Extensions[ID]);
});
