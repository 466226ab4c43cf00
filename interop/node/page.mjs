// page.mjs: build page.pay / wap.pay GET URLs and POST forms (sdk.pageExec) and app.pay order
// strings (sdk.sdkExec) with the official Alipay Node SDK (alipay-sdk, pinned to 4.14.0 in
// package.json), at a fixed time, and print what it built. Nothing is sent: these SDK calls only
// sign.
//
// Input: one JSON object on stdin:
//
//   {"gateway": "https://gw.example.com/gateway.do",
//    "appId": "…",
//    "privateKey": "-----BEGIN RSA PRIVATE KEY-----…",   // PKCS#1 (or PKCS#8, detected)
//    "signType": "RSA2" | "RSA",
//    "fixedTimeMs": 1704126605000,                         // what Date says while the SDK runs
//    "builds": [{"kind": "pageGet" | "pagePost" | "sdk",
//                "method": "alipay.trade.page.pay",
//                "bizContentJSON": "{\"out_trade_no\":…}", // parsed here, so key order is kept
//                "params": {"returnUrl": "…", "notifyUrl": "…", "format": "JSON"}}, …]}
//
// Output: one JSON line on stdout: {"ok": true, "results": ["<URL, form HTML or order string>", …]}
// or {"ok": false, "error": "…"} (exit status 2 for unusable input, 1 for a crash).
//
// How 4.14.0 stamps the time (node_modules/alipay-sdk/src/util.ts sign): timestamp is utility's
// YYYYMMDDHHmmss() of `new Date()` in the process's local zone, and pageExec's form name is
// `alipaySDKSubmit${Date.now()}`. So this script replaces the global Date, before it imports the
// SDK, by one whose no-argument constructor and now() give fixedTimeMs; run it with
// TZ=Asia/Shanghai for the Beijing time Alipay expects.
//
// What 4.14.0 builds (alipay.ts #pageExec, formatUrl, sdkExecute):
//   - pageExec GET: the gateway URL whose query holds the formatUrl params (app_id, method, format,
//     charset, sign_type, sign, timestamp, version, notify_url, return_url, auth_token,
//     app_auth_token, app_cert_sn, alipay_root_cert_sn) via URLSearchParams (space '+'), then
//     '&' and every other param as k=encodeURIComponent(v) (space %20): alipay_sdk, biz_content.
//   - pageExec POST: a form whose action is that URL without the rest, the rest as hidden inputs;
//     only '"' is escaped (&quot;).
//   - both add alipay_sdk=alipay-sdk-nodejs-4.0.0, signed.
//   - sdkExec: every param as k=encodeURIComponent(v) joined by '&', unsorted, sign last; no
//     alipay_sdk. Extra top-level params (format, notifyUrl…) are signed and sent.

import { keyTypeOf, readStdin, report } from './io.mjs';

function fatal(err) {
  const name = err && err.name ? err.name : 'Error';
  const message = err && err.message !== undefined ? err.message : String(err);
  report({ ok: false, error: `${name}: ${message}` }, 1);
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

function pinDate(fixedMs) {
  const RealDate = Date;
  class FixedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fixedMs);
      else super(...args);
    }
    static now() { return fixedMs; }
  }
  globalThis.Date = FixedDate;
}

async function main() {
  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch (err) {
    return report({ ok: false, error: `bad input: ${err.message}` }, 2);
  }
  for (const field of ['gateway', 'appId', 'privateKey']) {
    if (typeof input[field] !== 'string' || input[field] === '') {
      return report({ ok: false, error: `bad input: "${field}" must be a non-empty string` }, 2);
    }
  }
  if (!Number.isInteger(input.fixedTimeMs)) {
    return report({ ok: false, error: 'bad input: "fixedTimeMs" must be an integer' }, 2);
  }
  if (!Array.isArray(input.builds) || input.builds.length === 0) {
    return report({ ok: false, error: 'bad input: "builds" must be a non-empty array' }, 2);
  }
  pinDate(input.fixedTimeMs);
  const { AlipaySdk } = await import('alipay-sdk');
  const config = {
    appId: input.appId,
    privateKey: input.privateKey,
    signType: input.signType ?? 'RSA2',
    gateway: input.gateway,
  };
  const keyType = keyTypeOf(input.privateKey);
  if (keyType) config.keyType = keyType;
  const sdk = new AlipaySdk(config);

  const results = [];
  for (const [i, b] of input.builds.entries()) {
    const params = { ...(b.params ?? {}), bizContent: JSON.parse(b.bizContentJSON) };
    switch (b.kind) {
      case 'pageGet':
        results.push(sdk.pageExec(b.method, 'GET', params));
        break;
      case 'pagePost':
        results.push(sdk.pageExec(b.method, 'POST', params));
        break;
      case 'sdk':
        results.push(sdk.sdkExec(b.method, params));
        break;
      default:
        return report({ ok: false, error: `bad input: builds[${i}].kind ${JSON.stringify(b.kind)}` }, 2);
    }
  }
  report({ ok: true, results }, 0);
}

main().catch(fatal);
