// pay.mjs: README's walkthrough. Pays at a running zfb with the official Alipay Node SDK
// (alipay-sdk, pinned to 4.14.0 in package.json), as a merchant's Node server would:
//
//   node pay.mjs                  alipay.trade.pay with the sandbox buyer's payment code, then
//                                 alipay.trade.query, then waits for the asynchronous notification
//                                 and verifies it with the SDK
//   node pay.mjs --wrong-key      the same pay, signed with ANOTHER sandbox app's private key: the
//                                 gateway answers 40002 isv.invalid-signature, and the request log
//                                 (dashboard → Requests) says whose key signed it
//   --sandbox PATH                the sandbox.json to read (else $ZFB_SANDBOX, else
//                                 ../../zfb-data/sandbox.json beside this script: what
//                                 `go run ./cmd/zfb serve` writes at the repository's root)
//
// It prints one "name  value" line per fact (out_trade_no, trade_no, trade_status, …) and exits 0
// when the trade was paid, queried and notified, 1 when the gateway refused the call or anything
// else went wrong, 2 on a bad command line.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';

const usage = 'usage: node pay.mjs [--wrong-key] [--sandbox PATH]';

function parseArgs(argv) {
  const opts = { wrongKey: false, sandbox: process.env.ZFB_SANDBOX || '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--wrong-key') opts.wrongKey = true;
    else if (a === '--sandbox' && i + 1 < argv.length) opts.sandbox = argv[++i];
    else if (a.startsWith('--sandbox=')) opts.sandbox = a.slice('--sandbox='.length);
    else {
      console.error(`pay.mjs: unknown argument ${JSON.stringify(a)}\n${usage}`);
      process.exit(2);
    }
  }
  if (!opts.sandbox) opts.sandbox = new URL('../../zfb-data/sandbox.json', import.meta.url).pathname;
  return opts;
}

function show(name, value) {
  console.log(`${name.padEnd(14)}${value}`);
}

// listenForNotification starts an HTTP server on loopback that plays the merchant's notify_url:
// it answers "success" (what Alipay wants back) and resolves `received` with the decoded form.
async function listenForNotification() {
  let resolve;
  const received = new Promise(r => { resolve = r; });
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', chunk => { body += chunk; });
    req.on('end', () => {
      res.end('success');
      resolve(Object.fromEntries(new URLSearchParams(body)));
    });
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/notify`, received, server };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const sandbox = JSON.parse(readFileSync(opts.sandbox, 'utf8'));
  const app = sandbox.apps[0];
  const buyer = sandbox.buyers.find(b => b.behaviour === 'pays');
  if (!app || !buyer) throw new Error(`${opts.sandbox} has no app or no buyer who pays`);

  let privateKey = app.app_private_key;
  if (opts.wrongKey) {
    const other = sandbox.apps.find(a => a.app_id !== app.app_id && a.app_private_key);
    if (!other) throw new Error(`${opts.sandbox} has no second app to borrow a key from`);
    privateKey = other.app_private_key;
    show('mistake', `signing as app ${app.app_id} with the private key of app ${other.app_id}`);
  }

  const sdk = new AlipaySdk({
    appId: app.app_id,
    privateKey, // PKCS#1 PEM, the SDK's default key type
    alipayPublicKey: app.alipay_public_key,
    signType: app.sign_type,
    gateway: sandbox.gateway_url,
    timeout: 30000,
  });
  show('gateway', sandbox.gateway_url);
  show('app_id', app.app_id);
  show('buyer', `${buyer.user_id} (payment code ${buyer.payment_code})`);

  const notify = await listenForNotification();
  try {
    const outTradeNo = 'walk_' + randomBytes(6).toString('hex');
    show('out_trade_no', outTradeNo);
    const pay = await sdk.exec('alipay.trade.pay', {
      notifyUrl: notify.url,
      bizContent: {
        out_trade_no: outTradeNo,
        scene: 'bar_code',
        auth_code: buyer.payment_code,
        subject: 'zfb walkthrough',
        total_amount: '88.88',
      },
    }, { validateSign: true });
    if (pay.code !== '10000') {
      show('answer', `${pay.code} ${pay.msg} ${pay.subCode ?? ''} ${pay.subMsg ?? ''}`.trim());
      show('look', `${sandbox.dashboard_url}requests?q=${outTradeNo}`);
      return 1;
    }
    show('answer', `${pay.code} ${pay.msg}`);
    show('trade_no', pay.tradeNo);

    const query = await sdk.exec('alipay.trade.query', {
      bizContent: { out_trade_no: outTradeNo },
    }, { validateSign: true });
    show('trade_status', `${query.tradeStatus} (total_amount ${query.totalAmount})`);
    if (query.code !== '10000' || query.tradeStatus !== 'TRADE_SUCCESS') return 1;

    const timeout = new Promise(r => setTimeout(() => r(null), 30000).unref());
    const form = await Promise.race([notify.received, timeout]);
    if (!form) {
      show('notification', 'none arrived within 30 s');
      return 1;
    }
    const verified = sdk.checkNotifySignV2(form);
    show('notification', `${form.trade_status}, signature ${verified ? 'verified' : 'NOT verified'} by the SDK`);
    show('dashboard', `${sandbox.dashboard_url}search?q=${pay.tradeNo}`);
    return verified ? 0 : 1;
  } finally {
    notify.server.close();
  }
}

main().then(code => { process.exitCode = code; }, err => {
  console.error(`pay.mjs: ${err && err.stack ? err.stack : err}`);
  process.exitCode = 1;
});
