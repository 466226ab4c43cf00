// certsn.mjs: the certificate SNs the official Alipay Node SDK (alipay-sdk 4.14.0) computes for
// three certificate files, read from its own configuration: the constructor runs the SDK's
// antcertutil getSNFromPath over appCertPath, alipayPublicCertPath and (as a root file)
// alipayRootCertPath.
//
// Input: one JSON object on stdin:
//   {"appId": "…", "privateKey": "-----BEGIN RSA PRIVATE KEY-----…",
//    "appCertPath": "…", "alipayPublicCertPath": "…", "alipayRootCertPath": "…"}
// Output: one JSON line, {"appCertSn": "…", "alipayCertSn": "…", "alipayRootCertSn": "…"},
// or {"error": "…"} (exit status 1).

import { AlipaySdk } from 'alipay-sdk';

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const sdk = new AlipaySdk({
    appId: input.appId,
    privateKey: input.privateKey,
    appCertPath: input.appCertPath,
    alipayPublicCertPath: input.alipayPublicCertPath,
    alipayRootCertPath: input.alipayRootCertPath,
  });
  const { appCertSn, alipayCertSn, alipayRootCertSn } = sdk.config;
  process.stdout.write(JSON.stringify({ appCertSn, alipayCertSn, alipayRootCertSn }) + '\n');
}

main().catch(err => {
  process.stdout.write(JSON.stringify({ error: String(err && err.stack ? err.stack : err) }) + '\n');
  process.exitCode = 1;
});
