import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { Request, Response } from 'express';
import { HttpError } from './errors';

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};
const CHARSETS = ['utf-8', 'utf8', 'us-ascii'];

export function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `the request body is larger than this server accepts (${limit} bytes, BODY_LIMIT)`);
}

/** How long a refused upload's connection stays open after the answer, reading and discarding. */
const LINGER_MS = 2000;

/**
 * Refuses a body without reading the rest of it: the answer carries `Connection: close`, so a client
 * streaming 1 GB is cut off at the limit instead of being read to the end first (what body-parser does).
 *
 * The close lingers (as nginx's lingering_close): after the answer, the server half-closes and reads
 * and discards what is still in flight, until the client closes or LINGER_MS pass. Node's own close
 * (destroySoon) closes the socket while the client is still sending; the kernel then answers the
 * client's next bytes with a reset, and the client, busy writing, gets EPIPE/ECONNRESET and drops the
 * 413 that was waiting unread in its buffer (reproduced: 7 uploads in 8 lost their answer on a loaded
 * machine).
 */
export function stopReading(req: Request, res: Response): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  req.unpipe();
  const socket = req.socket;
  // Node calls destroySoon once an answer with Connection: close is written.
  socket.destroySoon = function lingeringClose(this: typeof socket) {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy());
    // What the client still sends goes through the HTTP parser into the request: discard it there.
    req.resume();
  };
}

/**
 * The whole body as UTF-8 text, decoded from `Content-Encoding` gzip/deflate/br, at most `limit`
 * bytes before and after decoding. A body that is not what its encoding says is a 400, an unknown
 * encoding or charset a 415, a larger one a 413 (and the connection is closed, see stopReading).
 */
export function readTextBody(req: Request, res: Response, limit: number): Promise<string> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const charset = (/;\s*charset="?([^";\s]+)/i.exec(String(req.headers['content-type'] ?? ''))?.[1] ?? 'utf-8').toLowerCase();
  if (!CHARSETS.includes(charset)) {
    return Promise.reject(new HttpError(415, 'unsupported_media_type', `charset "${charset}" is not accepted; send UTF-8`, [{ field: 'Content-Type', message: 'charset must be utf-8' }]));
  }
  if (encoding !== 'identity' && !DECODERS[encoding]) {
    return Promise.reject(
      new HttpError(415, 'unsupported_media_type', `Content-Encoding "${encoding}" is not accepted; send gzip, deflate, br or none`, [{ field: 'Content-Encoding', message: 'must be gzip, deflate, br or identity' }]),
    );
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    stopReading(req, res);
    return Promise.reject(tooLarge(limit));
  }
  const decoder = encoding === 'identity' ? undefined : DECODERS[encoding]();
  const source: Readable = decoder ? (req.pipe(decoder) as unknown as Readable) : req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let raw = 0;
    let decoded = 0;
    let settled = false;
    const fail = (err: HttpError) => {
      if (settled) return;
      settled = true;
      req.unpipe();
      decoder?.removeAllListeners('data');
      reject(err);
    };
    if (decoder) {
      req.on('data', (c: Buffer) => {
        raw += c.length;
        if (raw > limit) {
          stopReading(req, res);
          fail(tooLarge(limit));
        }
      });
      decoder.on('error', (e: Error) =>
        fail(new HttpError(400, 'bad_encoding', `the body is not valid ${encoding}: ${e.message}`, [{ field: 'Content-Encoding', message: `does not match the body (${e.message})` }])),
      );
    }
    source.on('data', (c: Buffer) => {
      decoded += c.length;
      if (decoded > limit) {
        stopReading(req, res);
        fail(tooLarge(limit));
      } else chunks.push(c);
    });
    source.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => fail(new HttpError(400, 'request_aborted', 'the client closed the connection before the body arrived')));
    req.on('aborted', () => fail(new HttpError(400, 'request_aborted', 'the client closed the connection before the body arrived')));
  });
}
