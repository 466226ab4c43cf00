// The input and output every driver script here shares: one JSON document
// on stdin, exactly one JSON line on stdout.

let reported = false;

// report prints obj as the script's one answer line, with exitCode; later
// calls (a crash after the answer, say) print nothing.
export function report(obj, exitCode) {
  if (reported) return;
  reported = true;
  process.exitCode = exitCode;
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// readStdin reads the whole of stdin as UTF-8.
export async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

// keyTypeOf is the SDK's keyType for a private key's PEM: undefined for
// bare base64, which the SDK reads as its default, PKCS1.
export function keyTypeOf(pem) {
  if (pem.includes('BEGIN RSA PRIVATE KEY')) return 'PKCS1';
  if (pem.includes('BEGIN PRIVATE KEY')) return 'PKCS8';
  return undefined;
}
