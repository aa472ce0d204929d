import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveTarget } from './ssrf';

export interface SendOptions {
  allowPrivateTargets: boolean;
  /** The whole exchange (resolve, connect, send, read the answer) must end within this. */
  timeoutMs: number;
  /** At most this much of the answer's body is read (kept for the delivery's last_error). */
  maxResponseBytes: number;
}

export interface SendResult {
  status: number;
  body: string;
}

/**
 * POSTs `body` to `url` once. The host is resolved and every address checked (ssrf.ts) at this
 * moment, and the socket connects to an address that passed the check (the lookup below is the one
 * the connection uses), so a DNS answer that changed since the webhook was saved cannot point it
 * inside. Redirects are not followed (the answer's status is the result); the answer's body is read
 * up to `maxResponseBytes`, then the connection is dropped.
 */
export async function postOnce(url: string, body: string, headers: Record<string, string>, opts: SendOptions): Promise<SendResult> {
  const target = new URL(url);
  // IP literals never go through `lookup`: checked here. Names are checked again in `lookup`.
  await resolveTarget(target.hostname, opts.allowPrivateTargets);
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolveTarget(hostname, opts.allowPrivateTargets).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (!wanted.length) return callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, wanted);
        else callback(null, wanted[0].address, wanted[0].family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
  const mod = target.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve, reject) => {
    const req = mod.request(target, {
      method: 'POST',
      agent: false,
      lookup,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), 'User-Agent': 'v2crm-webhooks/1', ...headers },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, opts.maxResponseBytes) });
      };
      res.on('data', (c: Buffer) => {
        if (size >= opts.maxResponseBytes) return;
        chunks.push(c.subarray(0, opts.maxResponseBytes - size));
        size += c.length;
        if (size >= opts.maxResponseBytes) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
      res.on('error', () => done());
      res.on('close', done);
    });
    req.end(body);
  });
}
