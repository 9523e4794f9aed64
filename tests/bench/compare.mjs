// compare.mjs — mailcheck.js and @zootools/email-spell-checker on the same corpus rows as
// `bench_detect --corpus` (no sender, no context; near_miss / invalid_tld / tld_confusion
// positives and genuine-domain negatives). Caught = the expected address suggested; a false
// alarm = any suggestion for a genuine address. Run by run.sh from a temporary npm folder.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [corpusPath, modulesDir] = process.argv.slice(2);
const require = createRequire(modulesDir + '/');
const mailcheck = require('mailcheck');
const zoo = require('@zootools/email-spell-checker');
const zooRun = (zoo.default || zoo).run;

const rows = [];
for (const line of readFileSync(corpusPath, 'utf8').split('\n')) {
  if (!line || line.startsWith('#')) continue;
  const [sender, context, address, expect, suggestion] = line.split('\t');
  const want = expect.replace(/^\?/, '');
  if (sender !== '-' || context !== '-' || !address.includes('@')) continue;
  const positive = want !== '-';
  if (positive && !['near_miss', 'invalid_tld', 'tld_confusion'].includes(want)) continue;
  rows.push({ address, positive, suggestion });
}

function measure(name, suggest) {
  let pos = 0, caught = 0, neg = 0, fa = 0;
  const t0 = process.hrtime.bigint();
  const reps = 5;
  for (let r = 0; r < reps; r++) {
    for (const row of rows) {
      const s = suggest(row.address);
      if (r) continue;
      if (row.positive) { pos++; if (s && s === row.suggestion) caught++; }
      else { neg++; if (s) fa++; }
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = (rows.length * reps) / secs;
  console.log(`| ${name.padEnd(20)} | ${rate.toFixed(0).padStart(12)} | ${String(caught).padStart(6)}/${pos} | ${String(pos - caught).padStart(6)} | ${String(fa).padStart(6)}/${neg} |`);
}

measure('mailcheck 1.1.1', (email) => {
  let out = null;
  mailcheck.run({ email, suggested: (s) => { out = s.full; }, empty: () => { out = null; } });
  return out;
});
measure('email-spell-checker', (email) => {
  const s = zooRun({ email });
  return s ? s.full : null;
});
