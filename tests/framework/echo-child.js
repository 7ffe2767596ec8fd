// A child for channels.test.ts: it speaks the boundary's framing on fd 0 and fd 3 (frames.ts) and answers
// every batch after the first (the init message) with one effect carrying the batch's first command's
// `pad` back, so that a test can send and receive frames far larger than a pipe holds.
'use strict';
const fs = require('node:fs');
const { pack, unpack } = require('msgpackr');

let pending = Buffer.alloc(0);
let frames = 0;
const chunk = Buffer.alloc(64 * 1024);
for (;;) {
  const read = fs.readSync(0, chunk, 0, chunk.length, null);
  if (read === 0) process.exit(0); // the tester is gone
  pending = Buffer.concat([pending, chunk.subarray(0, read)]);
  while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
    const message = unpack(pending.subarray(4, 4 + pending.readUInt32BE(0)));
    pending = pending.subarray(4 + pending.readUInt32BE(0));
    if (frames++ === 0) continue;
    const body = pack({ effects: [{ op: 'handled', rpc: 1, reply: message.batch[0].pad }] });
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    fs.writeSync(3, Buffer.concat([head, body]));
  }
}
