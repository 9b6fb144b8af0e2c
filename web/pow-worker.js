// The captcha's proof of work, off the page's thread: a nonce such that
// SHA-256("<challenge>:<nonce>") starts with `difficulty` zero bits. Reports progress.
const encoder = new TextEncoder();

function leadingZeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) { bits += 8; continue; }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

self.onmessage = async ({ data: { challenge, difficulty } }) => {
  const expected = 2 ** difficulty;
  for (let nonce = 0; ; nonce++) {
    const digest = await crypto.subtle.digest("SHA-256", encoder.encode(`${challenge}:${nonce}`));
    if (leadingZeroBits(new Uint8Array(digest)) >= difficulty) {
      self.postMessage({ done: true, solution: `${challenge}:${nonce}` });
      return;
    }
    if (nonce % 2000 === 0) self.postMessage({ done: false, progress: Math.min(0.99, nonce / expected) });
  }
};
