import http from 'node:http';
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
