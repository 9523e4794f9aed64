// extract-names.mjs — takes the name lists that gen-people.py draws from out of the npm package
// @faker-js/faker (MIT; its locale data are real first and last names per language) and writes
// names.json beside this file. Run once by hand, not by the build (the package is not a
// dependency of the project):
//   npm pack @faker-js/faker@10.6.0 && tar xzf faker-js-faker-10.6.0.tgz
//   node tests/people/extract-names.mjs package/dist/index.js
// Deterministic: every list sorted, then every k-th entry kept (at most PER_LIST).
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PER_LIST = 60;
const LOCALES = ["EN_US", "DE", "NB_NO", "SV", "DA", "FI", "FR", "ES", "PL", "IT", "TR", "RU", "UK", "ZH_CN", "JA", "KO", "VI"];

const faker = await import(pathToFileURL(process.argv[2]).href);
const flat = (v) => (Array.isArray(v) ? v : v && typeof v === "object" ? Object.values(v).flat() : []);
const pick = (list) => {
  const all = [...new Set(list.filter((s) => typeof s === "string" && s.trim() && !/[{}]/.test(s)))].sort();
  const step = Math.max(1, Math.floor(all.length / PER_LIST));
  return all.filter((_, i) => i % step === 0).slice(0, PER_LIST);
};
const out = { source: "@faker-js/faker 10.6.0 (MIT), locale person.first_name / person.last_name", locales: {} };
for (const loc of LOCALES) {
  const p = faker[`faker${loc}`].rawDefinitions.person;
  const gendered = p.last_name && !Array.isArray(p.last_name) && p.last_name.female && p.last_name.male;
  out.locales[loc] = gendered
    ? { female: { first: pick(flat(p.first_name.female)), last: pick(flat(p.last_name.female)) },
        male: { first: pick(flat(p.first_name.male)), last: pick(flat(p.last_name.male)) } }
    : { any: { first: pick(flat(p.first_name)), last: pick(flat(p.last_name)) } };
}
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, "names.json"), JSON.stringify(out, null, 1) + "\n");
