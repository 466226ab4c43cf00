// notify.mjs: verify asynchronous notifications (what zfb POSTed to a notify_url) with the
// official Alipay Node SDK (alipay-sdk, pinned to 4.14.0 in package.json), the way a merchant's
// Node server does, and report what the SDK said.
//
// Input: one JSON object on stdin:
//
//   {"appId": "…",
//    "privateKey": "-----BEGIN RSA PRIVATE KEY-----…",   // PKCS#1 (or PKCS#8, detected)
//    "alipayPublicKey": "-----BEGIN PUBLIC KEY-----…",   // the app's alipay_public_key
//    "signType": "RSA2" | "RSA",                         // optional, default RSA2
//    "checks": [{"postData": {"notify_id": "…", "sign": "…", …},
//                "alipayPublicKey": "…"},                // optional: verify with another key
//               …]}
//
// postData is the notification's form, decoded (field → value, all strings), as a merchant's
// web framework hands it over (express.urlencoded(), koa-body, …). Each check gets its own
// `new AlipaySdk({appId, privateKey, signType, alipayPublicKey})` and a fresh copy of its
// postData for each of the two calls.
//
// Output: exactly one JSON line on stdout, an array with one object per check, in order:
//
//   {"checkNotifySignV2": true|false|null, "checkNotifySign": true|false|null,
//    "checkNotifySignV2Error": "<name>: <message>",   // only when that call threw (value null)
//    "checkNotifySignError": "<name>: <message>"}     // likewise
//
// or, when the input is unusable, {"ok": false, "error": "bad input: …",
// "code": "ZFB_INTEROP_BAD_INPUT"} with exit status 2. Exit status 0 whenever the SDK was called,
// whatever it answered. Nothing is thrown uncaught.
//
// How alipay-sdk 4.14.0 verifies a notification (read from node_modules/alipay-sdk/src/alipay.ts):
//
//   - checkNotifySignV2(postData) is checkNotifySign(postData, raw = true). It was added for
//     alipay-sdk-nodejs-all issue #45: checkNotifySign without raw decodeURIComponent()s every
//     value, which throws URIError ("URI malformed") on a value holding a '%' that is not an
//     escape, and changes one holding a valid escape ("%41" → "A") so that verification fails.
//     Form values arrive decoded already, so V2 (no decoding) is the one to use.
//   - Both return false at once when config.alipayPublicKey is empty or postData.sign is absent.
//   - The algorithm is postData.sign_type, else config.signType, else RSA2 (RSA → RSA-SHA1,
//     RSA2 → RSA-SHA256); the signature is postData.sign, Base64, verified with
//     node:crypto's createVerify(...).verify(alipayPublicKey, sign, 'base64').
//   - The signed content is every field of postData but sign, sorted by key (JavaScript's
//     default sort, UTF-16 code units: byte order for ASCII keys), joined as key=value with '&',
//     values raw (V2) or decodeURIComponent()ed (V1); a non-string value is JSON.stringify()ed;
//     a field with an EMPTY VALUE IS KEPT ("key=") — only an empty key is dropped — so a sender
//     must leave empty fields out of both the form and the signature.
//   - It verifies twice: first with sign_type in the content (sign_type is put back as the
//     algorithm it chose, even when the caller deleted it), then, if that fails, without it —
//     the union of the Java SDK's rsaCheckV2 and rsaCheckV1. Alipay's notifications (and
//     zfb's) sign everything but sign and sign_type, so it is the second pass that succeeds.
//   - The app's privateKey and appId play no part, but the constructor requires both.

import { AlipaySdk } from 'alipay-sdk';
import { keyTypeOf, readStdin, report } from './io.mjs';

function badInput(message) {
  report({ ok: false, error: `bad input: ${message}`, code: 'ZFB_INTEROP_BAD_INPUT' }, 2);
}

function fatal(err) {
  const name = err && err.name ? err.name : 'Error';
  const message = err && err.message !== undefined ? err.message : String(err);
  report({ ok: false, error: `${name}: ${message}`, code: 'ZFB_INTEROP_CRASH' }, 1);
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

// call runs one of the SDK's checks on a fresh copy of postData and records its answer under
// name (or, when it threw, null and name + "Error").
function call(out, name, fn, postData) {
  try {
    out[name] = fn({ ...postData });
  } catch (err) {
    out[name] = null;
    out[`${name}Error`] = `${err && err.name ? err.name : 'Error'}: ${err && err.message !== undefined ? err.message : String(err)}`;
  }
}

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
  for (const field of ['appId', 'privateKey', 'alipayPublicKey']) {
    if (typeof input[field] !== 'string' || input[field] === '') {
      // An empty alipayPublicKey would make both checks answer false without verifying anything.
      return badInput(`"${field}" must be a non-empty string`);
    }
  }
  const signType = input.signType ?? 'RSA2';
  if (signType !== 'RSA2' && signType !== 'RSA') {
    return badInput(`"signType" must be "RSA2" or "RSA", got ${JSON.stringify(signType)}`);
  }
  if (!Array.isArray(input.checks) || input.checks.length === 0) {
    return badInput('"checks" must be a non-empty array');
  }
  for (const [i, c] of input.checks.entries()) {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) {
      return badInput(`checks[${i}] must be an object`);
    }
    const pd = c.postData;
    if (pd === null || typeof pd !== 'object' || Array.isArray(pd)) {
      return badInput(`checks[${i}].postData must be an object`);
    }
    for (const [k, v] of Object.entries(pd)) {
      if (typeof v !== 'string') {
        return badInput(`checks[${i}].postData.${k} must be a string, as a decoded form's values are`);
      }
    }
    if (c.alipayPublicKey !== undefined && (typeof c.alipayPublicKey !== 'string' || c.alipayPublicKey === '')) {
      return badInput(`checks[${i}].alipayPublicKey must be a non-empty string when given`);
    }
  }

  const outs = [];
  for (const c of input.checks) {
    const config = {
      appId: input.appId,
      privateKey: input.privateKey,
      signType,
      alipayPublicKey: c.alipayPublicKey ?? input.alipayPublicKey,
    };
    const keyType = keyTypeOf(input.privateKey);
    if (keyType) config.keyType = keyType;
    const out = {};
    let sdk;
    try {
      sdk = new AlipaySdk(config);
    } catch (err) {
      out.checkNotifySignV2 = out.checkNotifySign = null;
      out.checkNotifySignV2Error = out.checkNotifySignError = `new AlipaySdk: ${err && err.message}`;
      outs.push(out);
      continue;
    }
    call(out, 'checkNotifySignV2', pd => sdk.checkNotifySignV2(pd), c.postData);
    call(out, 'checkNotifySign', pd => sdk.checkNotifySign(pd), c.postData);
    outs.push(out);
  }
  report(outs, 0);
}

main().catch(fatal);
