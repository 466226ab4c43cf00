// cashier.mjs: build what a merchant's Node server hands a browser or an app, with the official Alipay
// Node SDK (alipay-sdk, pinned to 4.14.0 in package.json): pageExec's GET URL or auto-submitting
// POST form for alipay.trade.page.pay / alipay.trade.wap.pay, or sdkExec's order string for
// alipay.trade.app.pay. Nothing is sent: the test's browser opens the result.
//
// Input: one JSON object on stdin:
//
//   {"gateway": "http://127.0.0.1:41234/gateway.do",
//    "appId": "…",
//    "privateKey": "-----BEGIN RSA PRIVATE KEY-----…",
//    "alipayPublicKey": "-----BEGIN PUBLIC KEY-----…",
//    "signType": "RSA2" | "RSA",
//    "method": "alipay.trade.page.pay",
//    "httpMethod": "GET" | "POST" | "SDK",   // SDK: sdkExec instead of pageExec
//    "bizContent": {…},
//    "returnUrl": "…", "notifyUrl": "…",    // optional
//    "appCertPath": "…", "alipayPublicCertPath": "…", "alipayRootCertPath": "…"}
//                                            // optional: certificate mode (公钥证书模式), in
//                                            // place of alipayPublicKey; the SDK then signs
//                                            // app_cert_sn and alipay_root_cert_sn into the call
//
// Output: one JSON line, {"ok": true, "result": "<URL, form HTML or order string>"} or
// {"ok": false, "error": "<message>"}. Exit status 0 whenever the SDK was called; 2 on bad input.

import { AlipaySdk } from 'alipay-sdk';

let input = '';
for await (const chunk of process.stdin) input += chunk;
let req;
try {
  req = JSON.parse(input);
} catch (err) {
  console.log(JSON.stringify({ ok: false, error: 'bad input: ' + err.message, code: 'ZFB_INTEROP_BAD_INPUT' }));
  process.exit(2);
}
try {
  const config = {
    appId: req.appId, privateKey: req.privateKey, signType: req.signType || 'RSA2', gateway: req.gateway,
  };
  if (req.appCertPath) {
    config.appCertPath = req.appCertPath;
    config.alipayPublicCertPath = req.alipayPublicCertPath;
    config.alipayRootCertPath = req.alipayRootCertPath;
  } else {
    config.alipayPublicKey = req.alipayPublicKey;
  }
  const sdk = new AlipaySdk(config);
  const params = { bizContent: req.bizContent };
  if (req.returnUrl) params.returnUrl = req.returnUrl;
  if (req.notifyUrl) params.notifyUrl = req.notifyUrl;
  const result = req.httpMethod === 'SDK'
    ? sdk.sdkExec(req.method, params)
    : sdk.pageExec(req.method, req.httpMethod, params);
  console.log(JSON.stringify({ ok: true, result }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, error: `${err.name}: ${err.message}` }));
}
