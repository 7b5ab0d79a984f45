// Makes test/fixtures/receipt.png: a till receipt as a phone would photograph it (printed in
// Chromium, then saved as a PNG), for the receipt-reading tests. Run: node --import tsx scripts/receipt-fixture.ts
import path from 'node:path';
import { chromium } from 'playwright-core';

const out = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'receipt.png');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 420, height: 560 }, deviceScaleFactor: 2 });
  await page.setContent(`<body style="font: 17px/1.5 'DejaVu Sans Mono', monospace; padding: 24px; background: #fff">
    <div style="text-align:center; font-weight:bold; font-size: 22px">PACKRIGHT SUPPLIES LTD</div>
    <div style="text-align:center">12 Mill Lane, Leeds LS1 4AB</div>
    <div style="text-align:center">VAT No. GB 123 4567 89</div>
    <br />
    <div>Date: 14/11/2026</div>
    <div>Invoice: PR-20931</div>
    <br />
    <div>Mailer boxes x50&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;£30.00</div>
    <div>Tissue paper x200&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;£12.00</div>
    <div>Labels roll&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;£6.00</div>
    <br />
    <div>Subtotal&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;£48.00</div>
    <div>VAT 20%&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;£9.60</div>
    <div style="font-weight:bold">TOTAL&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;£57.60</div>
    <br />
    <div style="text-align:center">Paid by card. Thank you!</div>
  </body>`);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
