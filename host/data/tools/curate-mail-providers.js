#!/usr/bin/env node
// curate-mail-providers.js — how host/data/mail-providers.txt was made (run by hand, not by the
// build). Usage:
//   mkdir /tmp/p && cd /tmp/p && npm pack email-providers@2.26.0 free-email-domains@1.12.6
//   (untar each into ./email-providers and ./free-email-domains)
//   node curate-mail-providers.js /tmp/p > host/data/mail-providers.txt
//
// Rule: a built-in "well-known" provider is a domain that many people really write to. Every
// obscure entry is a false-alarm risk (a legitimate domain one slip away from it gets flagged),
// and the npm lists also hold disposable services, placeholders and even typo traps
// (gmail.co, hotmail.con, yahoo.om). So:
//   1. TIERS below are written by hand (weights 140..255, by popularity);
//   2. country variants of the big brands are taken from the npm lists (weight 110), skipping
//      any whose TLD is one of the typo-trap TLDs;
//   3. email-providers' common.json (Majestic rank < 100k) is kept (weight 60) minus
//      placeholders, disposable/anonymous services and sites that are not mail providers;
//   everything else in the npm lists (≈16k domains) is left out.
'use strict';
const fs = require('fs');
const path = require('path');
const dir = process.argv[2] || '.';
const load = (p) => JSON.parse(fs.readFileSync(path.join(dir, p), 'utf8'));
const all = new Set([...load('email-providers/package/all.json'),
                     ...load('free-email-domains/package/domains.json')]);
const common = load('email-providers/package/common.json');

const TIERS = {
  255: ['gmail.com'],
  240: ['outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com'],
  210: ['live.com', 'aol.com', 'msn.com', 'googlemail.com', 'me.com', 'qq.com', '163.com',
        'mail.ru', 'yandex.ru', 'gmx.de', 'web.de', 'proton.me', 'protonmail.com'],
  180: ['mac.com', 'gmx.net', 'gmx.com', 't-online.de', 'orange.fr', 'free.fr', 'yahoo.co.uk',
        'yahoo.co.jp', 'hotmail.co.uk', 'hotmail.fr', 'naver.com', '126.com', 'comcast.net',
        'verizon.net', 'att.net', 'sbcglobal.net', 'libero.it', 'laposte.net', 'ymail.com',
        'ya.ru', 'yandex.com', 'uol.com.br', 'bol.com.br', 'rediffmail.com', 'hanmail.net',
        'daum.net', 'sina.com', 'wp.pl', 'seznam.cz', 'btinternet.com', 'sky.com',
        'bigpond.com', 'shaw.ca', 'rogers.com', 'yahoo.fr', 'yahoo.de', 'hotmail.de',
        'hotmail.it', 'hotmail.es', 'live.fr', 'live.co.uk', 'outlook.fr', 'outlook.de',
        'outlook.es', 'mail.com', 'zoho.com', 'aim.com', 'fastmail.com', 'tutanota.com',
        'tuta.io', 'posteo.de', 'mailbox.org', 'pm.me', 'hey.com', 'foxmail.com', 'aliyun.com',
        'yeah.net', 'sohu.com', '139.com', 'nate.com', 'wanadoo.fr', 'sfr.fr', 'gmx.at',
        'gmx.ch', 'bluewin.ch', 'freenet.de', 'arcor.de', 'o2.pl', 'onet.pl', 'interia.pl',
        'virgilio.it', 'alice.it', 'tiscali.it', 'tin.it', 'terra.com.br', 'ig.com.br',
        'globo.com', 'rambler.ru', 'bk.ru', 'list.ru', 'inbox.ru', 'ukr.net', 'i.ua',
        'abv.bg', 'telenet.be', 'skynet.be', 'ziggo.nl', 'kpnmail.nl', 'xs4all.nl', 'home.nl',
        'planet.nl', 'hetnet.nl', 'cox.net', 'charter.net', 'earthlink.net', 'juno.com',
        'optonline.net', 'frontier.com', 'bellsouth.net', 'windstream.net', 'centurylink.net',
        'roadrunner.com', 'twc.com', 'optimum.net', 'sympatico.ca', 'videotron.ca',
        'bell.net', 'telus.net', 'optusnet.com.au', 'bigpond.net.au', 'telstra.com',
        'iinet.net.au', 'xtra.co.nz', 'ntlworld.com', 'virginmedia.com', 'talktalk.net',
        'blueyonder.co.uk', 'eircom.net', 'email.cz', 'centrum.cz', 'post.cz', 'azet.sk',
        'zoznam.sk', 'citromail.hu', 'freemail.hu', 'hotmail.co.jp', 'docomo.ne.jp',
        'ezweb.ne.jp', 'softbank.ne.jp', 'i.softbank.jp', 'au.com', 'nifty.com', 'yahoo.com.br',
        'yahoo.com.mx', 'yahoo.es', 'yahoo.it', 'yahoo.ca', 'yahoo.in', 'yahoo.co.in',
        'yahoo.com.au', 'hotmail.com.br', 'hotmail.com.mx', 'hotmail.com.ar', 'outlook.com.br',
        'live.com.mx', 'live.nl', 'live.de', 'live.it', 'live.ca', 'prodigy.net.mx',
        'rocketmail.com', 'windowslive.com', 'hushmail.com', 'protonmail.ch', 'gmx.fr',
        'orange.net', 'neuf.fr', 'club-internet.fr', 'numericable.fr', 'bbox.fr', 'poste.it',
        'pec.it', 'email.it', 'mail.de', 'posteo.net', 'vodafone.de', 'kabelmail.de',
        'telia.com', 'online.no', 'tele2.se', 'bredband.net', 'comhem.se', 'jubii.dk',
        'sapo.pt', 'netcabo.pt', 'clix.pt', 'terra.es', 'movistar.es', 'telefonica.net',
        'otenet.gr', 'forthnet.gr', 'walla.co.il', 'bezeqint.net', 'netvision.net.il',
        'mail.ee', 'inbox.lv', 'inbox.lt', 'hot.ee', 'yandex.ua', 'yandex.by', 'yandex.kz',
        'singnet.com.sg', 'pacific.net.sg', 'tm.net.my', 'streamyx.com', 'vsnl.net',
        'sify.com', 'bsnl.in', 'hotmail.co.za', 'webmail.co.za', 'mweb.co.za', 'telkomsa.net',
        'vodamail.co.za', 'gmail.co.za'],
};
// gmail.co.za is not a Google domain: remove it again (kept here as a reminder of the trap).
TIERS[180] = TIERS[180].filter((d) => d !== 'gmail.co.za');

// TLDs that are themselves typos of .com/.net/.org etc.; a brand "variant" there is a trap.
const TRAP_TLDS = new Set(['co', 'cm', 'om', 'con', 'ne', 'et', 'cmo', 'ocm', 'nt', 'cim', 'vom',
                           'xom', 'comm', 'coom', 'cpm', 'ml', 'or', 'og', 'rg', 'rog']);
const BRANDS = /^(hotmail|outlook|live|msn|yahoo|ymail|gmx|aol|yandex|fastmail|posteo|tiscali|lycos|terra|uol|bigpond|orange|wanadoo|virginmedia|talktalk|telstra|optusnet)\.[a-z.]+$/;
const EXCLUDE_COMMON = new Set([
  // placeholders and test domains
  'example.com', 'test.com', 'test.de', 'yourdomain.com', 'mydomain.com', 'www.com', 'name.com',
  // disposable / anonymous / testing services
  '10minutemail.com', 'mailinator.com', 'guerrillamail.com', 'yopmail.com', 'temp-mail.org',
  'bugmenot.com', 'hidemyass.com', 'anonymize.com', 'mail-tester.com', 'emailondeck.com',
  'chacuo.net', 'garbage.com', 'privacy.net', 'dnsmadeeasy.com', 'dynu.net', 'ddnsfree.com',
  'cu.cc', 'f5.si', 'fr.nf', 'pe.hu', 'za.com', 'i.am', 'web.id', 'pp.ua', 'zp.ua', 'spb.ru',
  'msk.ru', 'nus.edu.sg', 'berlin.de', 'barcelona.com', 'bangkok.com', 'nyc.com', 'ny.com',
  // sites that are not mail providers (their names would only add false alarms)
  'facebook.com', 'go.com', 'alibaba.com', 'geocities.com', 'about.com', 'netscape.com',
  'indiatimes.com', 'angelfire.com', 'medscape.com', 'space.com', 'discovery.com',
  'altavista.com', 'ancestry.com', 'techspot.com', 'law.com', 'homestead.com', 'india.com',
  'fortunecity.com', 'kansascity.com', 'detik.com', 'xoom.com', 'casino.com', 'care2.com',
  'hotbot.com', 'geek.com', 'catholic.org', 'doityourself.com', 'albawaba.com',
  'parrot.com', 'metacrawler.com', 'ivillage.com', 'dailypioneer.com', 'saudia.com',
  'hamptonroads.com', 'looksmart.com', 'freeyellow.com', 'crosswinds.net', 'dejanews.com',
  'blackplanet.com', 'islamonline.net', 'webindia123.com', 'depechemode.com',
  'onmilwaukee.com', 'kiwibox.com', 'bigfoot.com', 'mail2web.com', 'masrawy.com',
  'scubadiving.com', 'swissinfo.org', 'bolt.com', 'clerk.com', 'elvis.com', 'yahoofs.com',
  'starmedia.com', 'spacewar.com', 'webjump.com', '4mg.com', 'blogos.com', 'thirdage.com',
  'talkcity.com', 'she.com', 'singpost.com', 'aver.com', 'pipeline.com', 'dmv.com',
  '3ammagazine.com', 'lawyer.com', 'easypost.com', 'iwon.com', 'everyone.net', 'go2net.com',
  'hispavista.com', 'theglobe.com', 'bizhosting.com', 'beer.com', 'doctor.com',
  'interaccess.com', 'games.com', 'oath.com', 'usa.com', 'wow.com', '37.com', 'sdf.org',
  'icq.com', 'canada.com', 'ireland.com', 'yam.com', 'incredimail.com', 'montevideo.com.uy',
  'go.ro', 'sweb.cz', 'unican.es', 'sanook.com', 'c3.hu', 'gportal.hu', 'lex.bg', 'she.com',
]);

// Only TLDs the public suffix list knows (drops yahoo.com.malaysia and the like).
const PSL = new Set(fs.readFileSync('/usr/share/publicsuffix/public_suffix_list.dat', 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('//')).map((l) => l.trim()));
const out = new Map();
const put = (d, w) => { if (!out.has(d) || out.get(d) < w) out.set(d, w); };
for (const [w, list] of Object.entries(TIERS)) for (const d of list) put(d, Number(w));
for (const d of all) {
  const tld = d.split('.').pop();
  if (BRANDS.test(d) && !TRAP_TLDS.has(tld) && PSL.has(tld) && !/\.com\.com$/.test(d) && d.split('.').length <= 3)
    put(d, 110);
}
for (const d of common) if (!EXCLUDE_COMMON.has(d)) put(d, 60);

const lines = [...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
console.log('# mail-providers.txt — public mail providers: "domain weight" (weight 1..255, popularity).');
console.log('# Generated by tools/curate-mail-providers.js from hand-written tiers and the npm packages');
console.log('# email-providers 2.26.0 (ISC) and free-email-domains 1.12.6 (MIT); see SOURCES.md.');
for (const [d, w] of lines) console.log(`${d} ${w}`);
