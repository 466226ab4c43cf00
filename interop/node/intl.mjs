// intl.mjs: an independent client of Alipay's international acquiring dialect
// (alipay.intl.acquiring.*), written from the protocol description alone
// (shared/spec/intl-acquiring.md §1–§3 and seed 001), with node:crypto and
// fetch — no code of zfb's and no third-party package. It exists because no
// public client of this dialect can be installed here: it checks zfb against
// the spec from the outside, the way a merchant's own code would.
//
// Input: one JSON object on stdin:
//
//   {"baseUrl": "http://127.0.0.1:41234",
//    "clientId": "…", "privateKey": "-----BEGIN … PRIVATE KEY-----…",
//    "alipayPublicKey": "-----BEGIN PUBLIC KEY-----…",
//    "version": "2.0.2",                       // optional, default 2.0.2
//    "calls": [{"function": "alipay.intl.acquiring.offline.pay",
//               "body": {…},
//               "pretty": false,               // optional: send the request pretty-printed
//               "bodyFirst": false}]}          // optional: put "body" before "head"
//
// For each call it writes the request value once as text, signs exactly that
// text (SHA256withRSA, PKCS#1 v1.5, standard Base64), sends
// {"request":<text>,"signature":"…"} by POST to the path the spec gives for the
// function, locates the "response" value in the raw answer with its own
// string-aware brace scanner, verifies the signature over those raw bytes with
// the Alipay public key, and checks that the answer echoes reqMsgId.
//
// Output: one JSON line, an array with one object per call:
//   {"ok": true, "verified": true|false, "httpStatus": 200,
//    "response": {"head": {…}, "body": {…}}, "raw": "<answer text>"}
//   {"ok": false, "error": "…"}
// Exit status 0 whenever the calls were made; 2 when the input is unusable.

import { createSign, createVerify, randomUUID } from 'node:crypto';

const paths = {
  'alipay.intl.acquiring.offline.pay': '/api/alipay/intl/acquiring/offline/pay.htm',
  'alipay.intl.acquiring.offline.payQuery': '/api/alipay/intl/acquiring/offline/payquery.htm',
  'alipay.intl.acquiring.common.payCancel': '/api/alipay/intl/acquiring/common/paycancel.htm',
  'alipay.intl.acquiring.common.refund': '/api/alipay/intl/acquiring/common/grefund.htm',
};

// pathOf follows the spec's mechanical rule for functions the table lacks:
// "/api/" + the name with "." → "/", the last segment lower-cased, + ".htm".
function pathOf(fn) {
  if (paths[fn]) return paths[fn];
  const parts = fn.split('.');
  parts[parts.length - 1] = parts[parts.length - 1].toLowerCase();
  return '/api/' + parts.join('/') + '.htm';
}

// rfc3339 writes now with the local offset, as the spec's samples do.
function rfc3339(d) {
  const pad = (n) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// valueAfterKey returns the raw text of the object value of the top-level key
// name in text: it walks the top-level members, skipping strings (with their
// escapes) and nested values by counting braces and brackets outside strings.
function valueAfterKey(text, name) {
  let i = skip(text, 0);
  if (text[i] !== '{') throw new Error('the answer is not a JSON object');
  i = skip(text, i + 1);
  while (i < text.length && text[i] === '"') {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd));
    i = skip(text, keyEnd);
    if (text[i] !== ':') throw new Error('malformed member');
    const start = skip(text, i + 1);
    const end = valueEnd(text, start);
    if (key === name) {
      if (text[start] !== '{') throw new Error(`"${name}" is not an object`);
      return text.slice(start, end);
    }
    i = skip(text, end);
    if (text[i] === ',') i = skip(text, i + 1);
  }
  throw new Error(`no top-level "${name}" in the answer`);
}

function skip(t, i) {
  while (i < t.length && ' \t\r\n'.includes(t[i])) i++;
  return i;
}

function stringEnd(t, i) {
  for (let j = i + 1; j < t.length; j++) {
    if (t[j] === '\\') j++;
    else if (t[j] === '"') return j + 1;
  }
  throw new Error('unterminated string');
}

function valueEnd(t, i) {
  if (t[i] === '"') return stringEnd(t, i);
  if (t[i] === '{' || t[i] === '[') {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const c = t[j];
      if (c === '"') { j = stringEnd(t, j) - 1; continue; }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') { depth--; if (depth === 0) return j + 1; }
    }
    throw new Error('unbalanced value');
  }
  let j = i;
  while (j < t.length && !',}] \t\r\n'.includes(t[j])) j++;
  return j;
}

async function call(input, c) {
  const head = {
    version: input.version ?? '2.0.2',
    function: c.function,
    clientId: input.clientId,
    reqTime: rfc3339(new Date()),
    reqMsgId: randomUUID().replaceAll('-', ''),
    reserve: '{}',
    signType: 'RSA2',
  };
  const value = c.bodyFirst ? { body: c.body, head } : { head, body: c.body };
  const requestText = c.pretty ? JSON.stringify(value, null, 4) : JSON.stringify(value);
  const signature = createSign('RSA-SHA256').update(requestText, 'utf8').sign(input.privateKey, 'base64');
  const wire = `{"request":${requestText},"signature":"${signature}"}`;
  const res = await fetch(input.baseUrl + pathOf(c.function), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: wire,
  });
  const raw = await res.text();
  const out = { ok: true, httpStatus: res.status, raw, verified: false };
  let parsed;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return { ok: false, error: `the answer is not JSON: ${err.message}`, httpStatus: res.status, raw };
  }
  out.response = parsed.response;
  if (typeof parsed.signature === 'string' && parsed.signature !== '') {
    const signed = valueAfterKey(raw, 'response');
    out.verified = createVerify('RSA-SHA256').update(signed, 'utf8').verify(input.alipayPublicKey, parsed.signature, 'base64');
  }
  if (out.response && out.response.head && out.response.head.reqMsgId !== head.reqMsgId) {
    return { ok: false, error: `reqMsgId not echoed: sent ${head.reqMsgId}, got ${out.response.head.reqMsgId}`, raw };
  }
  return out;
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  let input;
  try {
    input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    process.stdout.write(JSON.stringify([{ ok: false, error: `bad input: ${err.message}` }]) + '\n');
    process.exitCode = 2;
    return;
  }
  const outs = [];
  for (const c of input.calls ?? []) {
    try {
      outs.push(await call(input, c));
    } catch (err) {
      outs.push({ ok: false, error: String(err && err.message ? err.message : err) });
    }
  }
  process.stdout.write(JSON.stringify(outs) + '\n');
}

main();
