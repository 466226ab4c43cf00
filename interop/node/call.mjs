// call.mjs: make gateway.do calls with the official Alipay Node SDK
// (alipay-sdk, pinned to 4.14.0 in package.json) and report what it did.
//
// Input: one JSON object on stdin, for ONE call:
//
//   {"gateway": "http://127.0.0.1:41234/gateway.do",
//    "appId": "…",
//    "privateKey": "-----BEGIN RSA PRIVATE KEY-----…",   // PKCS#1 (or PKCS#8, detected)
//    "alipayPublicKey": "-----BEGIN PUBLIC KEY-----…",
//    "signType": "RSA2" | "RSA",
//    "method": "alipay.trade.query",
//    "bizContent": {…},
//    "validateSign": true,
//    "camelcase": true,        // optional, the SDK's default is true
//    "timeoutMs": 30000,       // optional, default 30000 here (the SDK's own default is 5000)
//    "encryptKey": "…",        // optional: config.encryptKey, the app's AES key (Base64)
//    "needEncrypt": true,      // optional: exec(method, {bizContent, needEncrypt: true}, …), which
//                              // encrypts biz_content and decrypts an answer whose node is a string
//    "appCertPath": "…/appCertPublicKey_<app_id>.crt",        // optional, all three or none:
//    "alipayPublicCertPath": "…/alipayCertPublicKey_RSA2.crt", // public-key-certificate mode; the
//    "alipayRootCertPath": "…/alipayRootCert.crt"}             // SDK then derives alipayPublicKey
//
// or, for a SEQUENCE of calls made one after the other by one SDK instance (one node process,
// so a scenario costs one start-up), the same object with "calls" instead of "method" and
// "bizContent":
//
//   {"gateway": …, "appId": …, "privateKey": …, "alipayPublicKey": …, "signType": …,
//    "validateSign": true,
//    "calls": [{"method": "alipay.trade.pay", "bizContent": {…}},
//              {"method": "alipay.trade.query", "bizContent": {…}}, …]}
//
// A call (one, or one of a sequence) may also carry "appAuthToken" (a string, "" included: an ISV
// app calling for a merchant; exec's params.appAuthToken, which the SDK sends as app_auth_token in
// the URL) and "notifyUrl" (params.notifyUrl → notify_url).
//
// Every call of a sequence runs, whatever the earlier ones answered. "needEncrypt" applies to every
// call of a sequence.
//
// With needEncrypt, 4.14.0 adds encrypt_type=AES to the signed params (sent in the form body) and
// encrypts biz_content with AES-CBC, zero IV (util.ts sign/aesEncrypt). It decrypts the node when
// it is a string and leaves an object (the gateway's plaintext decryption error) as it is
// (#formatExecHttpResponse). With validateSign on as well it cannot verify an encrypted answer:
// getSignStr cuts from the first '{' to the last '}', and a string node has neither (spec §1.6).
//
// Output: exactly one JSON line on stdout. For one call:
//
//   {"ok": true, "result": <what sdk.exec resolved to>}
//   {"ok": false, "error": "<err.message>", "code": "<err.code or ''>", "name": "<err.name>",
//    "responseDataRaw": "<raw HTTP body, when the SDK attached it>"}
//
// For a sequence: a JSON array holding one such object per call, in order. (If the SDK cannot
// even be constructed — a malformed key, say — both forms print that one error object.)
//
// Exit status: 0 whenever the SDK was called (whatever it answered); 2 when the input itself is
// unusable (the JSON line then has code "ZFB_INTEROP_BAD_INPUT"). Nothing is thrown uncaught.
//
// How alipay-sdk 4.14.0 behaves (read from node_modules/alipay-sdk/src/alipay.ts and util.ts):
//
//   - exec() posts to config.gateway (the OpenAPI v2 gateway.do URL; config.endpoint is only for
//     the v3 curl() API). app_id, method, charset, sign_type, sign, timestamp, version, … go in the
//     URL query; biz_content goes in the application/x-www-form-urlencoded body.
//   - The private key is PKCS#1 ("RSA PRIVATE KEY") unless config.keyType is 'PKCS8'.
//   - exec() RESOLVES with the response node (`<method with _>_response`, or `error_response`)
//     for every HTTP-200 JSON answer, business and gateway errors included (code 40002 etc. is
//     a resolved value, not a rejection). With camelcase (the default) its keys are camelCased
//     deeply: sub_code → subCode, sub_msg → subMsg. If the HTTP response has a `trace_id` header,
//     the result also gets `traceId`.
//   - With {validateSign: true} and a non-empty alipayPublicKey, checkResponseSign() verifies the
//     `sign` over the raw node value — for error answers too, sub_code or not. A verification
//     failure REJECTS with an AlipayRequestError whose code is undefined and whose message is
//       验签失败，服务端返回的 sign: '<sign>' 无效, validateStr: '<the node text it verified>'
//     (a missing "sign" makes node:crypto's verify() throw a TypeError instead). If
//     alipayPublicKey is empty the SDK only console.warn()s and skips the check, so this script
//     refuses an empty alipayPublicKey when validateSign is true.
//   - Other rejections: non-200 status → 'HTTP 请求错误, status: N'; unparsable body →
//     'Response 格式错误'; neither node present → 'Response 格式错误，返回值 <node> 找不到';
//     network failure → 'HttpClient Request error: …'.

import { AlipaySdk } from 'alipay-sdk';
import { keyTypeOf, readStdin, report } from './io.mjs';

function errorObject(err) {
  const out = {
    ok: false,
    error: err && err.message !== undefined ? String(err.message) : String(err),
    code: err && err.code !== undefined && err.code !== null ? String(err.code) : '',
    name: err && err.name ? String(err.name) : '',
  };
  if (err && typeof err.responseDataRaw === 'string') {
    out.responseDataRaw = err.responseDataRaw;
  }
  return out;
}

function reportError(err, exitCode = 0) {
  report(errorObject(err), exitCode);
}

function badInput(message) {
  report({ ok: false, error: `bad input: ${message}`, code: 'ZFB_INTEROP_BAD_INPUT', name: '' }, 2);
}

process.on('uncaughtException', err => reportError(err, 1));
process.on('unhandledRejection', err => reportError(err, 1));

async function main() {
  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch (err) {
    return badInput(`stdin is not one JSON object: ${err.message}`);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return badInput('stdin is not one JSON object');
  }
  const sequence = input.calls !== undefined;
  for (const field of ['gateway', 'appId', 'privateKey']) {
    if (typeof input[field] !== 'string' || input[field] === '') {
      return badInput(`"${field}" must be a non-empty string`);
    }
  }
  let calls;
  if (sequence) {
    if (input.method !== undefined || input.bizContent !== undefined) {
      return badInput('give either "calls" or "method" (with "bizContent"), not both');
    }
    if (!Array.isArray(input.calls) || input.calls.length === 0) {
      return badInput('"calls" must be a non-empty array');
    }
    for (const [i, c] of input.calls.entries()) {
      if (c === null || typeof c !== 'object' || Array.isArray(c)) {
        return badInput(`calls[${i}] must be an object`);
      }
      if (typeof c.method !== 'string' || c.method === '') {
        return badInput(`calls[${i}].method must be a non-empty string`);
      }
    }
    calls = input.calls;
  } else {
    if (typeof input.method !== 'string' || input.method === '') {
      return badInput('"method" must be a non-empty string');
    }
    calls = [{ method: input.method, bizContent: input.bizContent, appAuthToken: input.appAuthToken, notifyUrl: input.notifyUrl }];
  }
  const signType = input.signType ?? 'RSA2';
  if (signType !== 'RSA2' && signType !== 'RSA') {
    return badInput(`"signType" must be "RSA2" or "RSA", got ${JSON.stringify(signType)}`);
  }
  const validateSign = input.validateSign === true;
  const certPaths = ['appCertPath', 'alipayPublicCertPath', 'alipayRootCertPath'];
  const certMode = certPaths.some(f => input[f] !== undefined);
  if (certMode && !certPaths.every(f => typeof input[f] === 'string' && input[f] !== '')) {
    return badInput(`certificate mode needs all of ${certPaths.join(', ')}`);
  }
  if (validateSign && !certMode && (typeof input.alipayPublicKey !== 'string' || input.alipayPublicKey === '')) {
    // The SDK would silently skip verification; that would make validateSign meaningless here.
    return badInput('"validateSign" is true but "alipayPublicKey" is empty');
  }

  const config = {
    appId: input.appId,
    privateKey: input.privateKey,
    signType,
    gateway: input.gateway,
    timeout: Number.isInteger(input.timeoutMs) ? input.timeoutMs : 30000,
    camelcase: input.camelcase !== false,
  };
  const keyType = input.keyType ?? keyTypeOf(input.privateKey);
  if (keyType) config.keyType = keyType;
  if (input.alipayPublicKey) config.alipayPublicKey = input.alipayPublicKey;
  if (certMode) for (const f of certPaths) config[f] = input[f];
  if (input.encryptKey !== undefined) {
    if (typeof input.encryptKey !== 'string' || input.encryptKey === '') {
      return badInput('"encryptKey" must be a non-empty string');
    }
    config.encryptKey = input.encryptKey;
  }
  const needEncrypt = input.needEncrypt === true;

  let sdk;
  try {
    sdk = new AlipaySdk(config);
  } catch (err) {
    return reportError(err, 0);
  }

  const outs = [];
  for (const c of calls) {
    const params = {};
    if (c.bizContent !== undefined && c.bizContent !== null) params.bizContent = c.bizContent;
    if (needEncrypt) params.needEncrypt = true;
    if (typeof c.appAuthToken === 'string') params.appAuthToken = c.appAuthToken;
    if (typeof c.notifyUrl === 'string') params.notifyUrl = c.notifyUrl;
    try {
      const result = await sdk.exec(c.method, params, { validateSign });
      outs.push({ ok: true, result });
    } catch (err) {
      outs.push(errorObject(err));
    }
  }
  report(sequence ? outs : outs[0], 0);
}

main().catch(err => reportError(err, 1));
