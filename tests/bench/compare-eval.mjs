// compare-eval.mjs — mailcheck 1.1.1, @zootools/email-spell-checker 1.12.0 and email-misspelled
// on the rows of the evaluation set (tests/eval/heldout.tsv), per class, next to typoguard's own
// counts from `eval_detect --summary`. Run by run.sh from a temporary npm folder:
//   node compare-eval.mjs EVAL.tsv NODE_MODULES_DIR [TYPOGUARD_SUMMARY.tsv]
// A library catches a positive row when it suggests exactly the expected address; any
// suggestion on a negative row is a false alarm. Each library gets its own default domain list
// plus the row's `known=` domains (the address book typoguard is given), so the address-book
// classes are a fair fight. Node 18 compatible.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [evalPath, modulesDir, summaryPath] = process.argv.slice(2);
if (!evalPath || !modulesDir) {
  console.error('usage: node compare-eval.mjs EVAL.tsv NODE_MODULES_DIR [SUMMARY.tsv]');
  process.exit(2);
}
const require = createRequire(modulesDir + '/');
const mailcheck = require('mailcheck');
const zoo = require('@zootools/email-spell-checker');
const zooRun = zoo.run || (zoo.default && zoo.default.run);
const zooDomains = zoo.POPULAR_DOMAINS;
// email-misspelled's CommonJS build does not load (its package.json says "type": "module"), so
// import its ES module entry as its package.json declares it.
const misspelledDir = join(modulesDir, 'email-misspelled');
const misspelledPkg = JSON.parse(readFileSync(join(misspelledDir, 'package.json'), 'utf8'));
const misspelledMod = await import(pathToFileURL(join(misspelledDir, misspelledPkg.exports['.'].import)).href);
const emailMisspelled = misspelledMod.emailMisspelled || misspelledMod.default;
const misspelledDomains = misspelledMod.all;
const misspelledVersion = misspelledPkg.version;

function knownOf(context) {
  if (!context || context === '-') return [];
  return context.split(';').map((s) => s.trim()).filter((s) => s.startsWith('known='))
    .map((s) => s.slice(6));
}

const checkers = [
  ['mailcheck 1.1.1', (email, known) => {
    let out = null;
    mailcheck.run({
      email,
      domains: known.length ? mailcheck.defaultDomains.concat(known) : undefined,
      suggested: (s) => { out = s.full; },
      empty: () => { out = null; },
    });
    return out;
  }],
  ['email-spell-checker 1.12.0', (email, known) => {
    const s = zooRun({ email, domains: known.length ? zooDomains.concat(known) : undefined });
    return s ? s.full : null;
  }],
  [`email-misspelled ${misspelledVersion}`, (() => {
    const plain = emailMisspelled({ domains: misspelledDomains });
    return (email, known) => {
      const check = known.length ? emailMisspelled({ domains: misspelledDomains.concat(known) }) : plain;
      const s = check(email);
      return s && s.length ? s[0].corrected : null;
    };
  })()],
];

const classes = new Map(); // class -> {kind, rows, hits: [per checker]}
for (const line of readFileSync(evalPath, 'utf8').split('\n')) {
  if (!line || line.startsWith('#')) continue;
  const [, context, address, expect, suggestion, note] = line.split('\t');
  const cls = (/(?:^| )class=(\S+)/.exec(note || '') || [, 'unclassified'])[1];
  const positive = expect.replace(/^\?/, '') !== '-';
  if (!classes.has(cls)) classes.set(cls, { positive, rows: 0, hits: checkers.map(() => 0) });
  const c = classes.get(cls);
  c.rows++;
  const known = knownOf(context);
  checkers.forEach(([, suggest], i) => {
    let s = null;
    try { s = suggest(address, known); } catch { s = null; }
    if (positive ? s === suggestion : Boolean(s)) c.hits[i]++;
  });
}

const typoguard = new Map();
if (summaryPath) {
  for (const line of readFileSync(summaryPath, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [cls, kind, rows, flagged, right] = line.split('\t');
    typoguard.set(cls, { rows: +rows, value: kind === 'positive' ? +right : +flagged });
  }
}

const pct = (a, b) => (b ? (100 * a / b).toFixed(1) + ' %' : '-');
const names = ['typoguard', ...checkers.map(([n]) => n)];
for (const positive of [true, false]) {
  console.log(positive
    ? '\n| class (right correction) | rows | ' + names.join(' | ') + ' |'
    : '\n| class (false alarms) | rows | ' + names.join(' | ') + ' |');
  console.log('|---|---:|' + names.map(() => '---:').join('|') + '|');
  const total = { rows: 0, tg: 0, hits: checkers.map(() => 0) };
  for (const [cls, c] of [...classes].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (c.positive !== positive) continue;
    const tg = typoguard.get(cls);
    total.rows += c.rows;
    total.tg += tg ? tg.value : 0;
    c.hits.forEach((h, i) => { total.hits[i] += h; });
    console.log(`| ${cls} | ${c.rows} | ${tg ? pct(tg.value, tg.rows) : '-'} | ` +
      c.hits.map((h) => pct(h, c.rows)).join(' | ') + ' |');
  }
  console.log(`| **all** | ${total.rows} | ${typoguard.size ? pct(total.tg, total.rows) : '-'} | ` +
    total.hits.map((h) => pct(h, total.rows)).join(' | ') + ' |');
}
