import puppeteer from 'puppeteer-core';
const b = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-background-networking'] });
const p = await b.newPage();
await p.setViewport({ width: 1200, height: 1300 });
const [f, yStr] = process.argv.slice(2);
await p.goto('file://' + f);
await p.screenshot({ path: `${f}.clip.png`, clip: { x: 0, y: Number(yStr), width: 1200, height: 1300 } });
await b.close();
