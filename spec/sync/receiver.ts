import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; event: string; cursor: string; data: Record<string, unknown> };
  status: number;
}

/**
 * A real HTTP receiver on loopback. `answer` decides each request's status (default 200); every
 * request is recorded with the status it got.
 */
export class Receiver {
  readonly got: Received[] = [];
  answer: (r: Omit<Received, 'status'>, n: number) => number | 'hang' = () => 200;
  private server?: http.Server;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const r = { headers: req.headers, body, json: JSON.parse(body) };
        const status = this.answer(r, this.got.length);
        if (status === 'hang') return;
        this.got.push({ ...r, status });
        if (status >= 300 && status < 400) res.setHeader('Location', 'http://127.0.0.1:1/elsewhere');
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status >= 400 ? 'x'.repeat(5000) : 'ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Successful deliveries (2xx), in arrival order. */
  get delivered(): Received[] {
    return this.got.filter((r) => r.status >= 200 && r.status < 300);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** Waits until `cond` holds (polling every 20 ms), or fails after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 15000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
