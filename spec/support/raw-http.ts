import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => { error?: { code: string; message: string; details?: { field: string; message: string }[] } } & Record<string, unknown>;
}

/** One request exactly as written (path bytes, headers, body or body stream), to a loopback server. */
export function rawRequest(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer | Readable },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    // A server that answers before reading the whole body may reset the upload: the answer still counts.
    req.on('error', reject);
    if (opts.body instanceof Readable) {
      opts.body.on('error', () => undefined);
      opts.body.pipe(req);
    } else req.end(opts.body);
  });
}

export function basicHeader(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
}

/**
 * Sends a request head, then a chunked body of up to `total` bytes while reading the socket, the way
 * curl does: once an answer arrives it stops sending. Resolves with the status, the answer's text and
 * how many body bytes were sent. A reset after the answer (the server closing on purpose) is fine.
 */
export function uploadUntilAnswered(port: number, head: string, first: Buffer, total: number): Promise<{ status: number; text: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(64 * 1024, 97);
    let sent = 0;
    let answer = '';
    let done = false;
    const finish = (why?: unknown) => {
      if (done) return;
      done = true;
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n[\s\S]*?\r\n\r\n([\s\S]*)$/.exec(answer);
      if (!m) return reject(new Error(`no answer after ${sent} bytes (${why instanceof Error ? why.message : 'closed'}): ${answer.slice(0, 200)}`));
      // The body is chunked or has a Content-Length; the JSON object is what matters here.
      const json = /\{[\s\S]*\}/.exec(m[2]);
      resolve({ status: Number(m[1]), text: json ? json[0] : m[2], sent });
    };
    socket.on('data', (d: Buffer) => {
      answer += d.toString('utf8');
      if (/\r\n\r\n[\s\S]*\}/.test(answer)) finish();
    });
    socket.on('error', finish);
    socket.on('close', () => finish());
    const pump = () => {
      while (!done && sent < total) {
        const piece = sent === 0 ? Buffer.concat([first, chunk]) : chunk;
        sent += piece.length;
        // One write per chunk frame: a write that reports a full buffer must not skip the frame's rest
        // (that corrupted the chunked stream whenever the server read slower than the client wrote).
        if (!socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]))) return void socket.once('drain', pump);
      }
      if (!done) socket.write('0\r\n\r\n');
    };
    socket.once('connect', () => {
      socket.write(head);
      pump();
    });
  });
}
