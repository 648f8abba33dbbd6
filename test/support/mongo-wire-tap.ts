import { BSON, type Document } from 'mongodb';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

const OP_MSG = 2013;
const CHECKSUM_PRESENT = 1;

/** A command as the client sent it on the wire: its body (name, collection, filters, maxTimeMS, `$db`). */
export interface SentCommand {
  body: Document;
  at: number;
}

/**
 * A TCP proxy in front of MongoDB that also records every command its clients send (OP_MSG bodies
 * read from the bytes), so a test can see what reached the server without reaching into the client.
 */
export async function startMongoWireTap(target: URL): Promise<{ proxy: TcpProxy; sent: SentCommand[] }> {
  const sent: SentCommand[] = [];
  const proxy = await startTcpProxy(Number(target.port || 27017), target.hostname, () => commandReader((body) => sent.push({ body, at: Date.now() })));
  return { proxy, sent };
}

/** Reads one connection's bytes as they come, message by message (a message may span chunks). */
function commandReader(onCommand: (body: Document) => void): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
      const message = buffered.subarray(0, buffered.readInt32LE(0));
      buffered = buffered.subarray(message.length);
      if (message.readInt32LE(12) === OP_MSG) onCommand(bodyOf(message));
    }
  };
}

/** OP_MSG: a 16-byte header, flag bits, then sections; the one of kind 0 is the command's body. */
function bodyOf(message: Buffer): Document {
  const end = message.length - (message.readUInt32LE(16) & CHECKSUM_PRESENT ? 4 : 0);
  let offset = 20;
  while (offset < end) {
    const kind = message[offset]!;
    const size = message.readInt32LE(offset + 1);
    if (kind === 0) return BSON.deserialize(message.subarray(offset + 1, offset + 1 + size));
    offset += 1 + size;
  }
  return {};
}
