// A TCP session that must survive a failover: `server PORT` echoes lines on every address;
// `client ADDR PORT LOG` sends a numbered line every 100 ms and appends "echo N <ms>" for each
// answer, and "closed <reason>" if the connection ends (it never reconnects).
'use strict';
const net = require('node:net');
const fs = require('node:fs');
const [mode, a, b, log] = process.argv.slice(2);
if (mode === 'server') {
  net.createServer((s) => { s.on('error', () => {}); s.pipe(s); }).listen(Number(a), '::');
} else if (mode === 'client') {
  const out = (line) => fs.appendFileSync(log, `${line}\n`);
  const s = net.connect({ host: a, port: Number(b) }, () => {
    out(`connected ${Date.now()}`);
    let n = 0;
    setInterval(() => s.write(`${++n}\n`), 100);
  });
  let buf = '';
  s.setEncoding('utf8');
  s.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { out(`echo ${buf.slice(0, i)} ${Date.now()}`); buf = buf.slice(i + 1); }
  });
  s.on('error', (e) => { out(`closed ${e.message}`); process.exit(1); });
  s.on('close', () => { out('closed by peer'); process.exit(1); });
} else {
  console.error('usage: tcp-session.cjs server PORT | client ADDR PORT LOG');
  process.exit(2);
}
