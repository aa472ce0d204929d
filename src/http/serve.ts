import http from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';

export interface ServeOptions {
  port: number;
  host: string;
  /** How long SIGTERM/SIGINT wait for in-flight requests before cutting them (SHUTDOWN_GRACE_SECONDS). */
  shutdownGraceMs: number;
  /** Runs after the last request has finished (or the grace ran out): stop workers, close the pool. */
  onStopped: () => Promise<void>;
}

/** What Node answers itself, before Express sees the request, as JSON like every other error. */
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request line and headers are larger than this server accepts (16 KB); send fewer or shorter query parameters'],
  HPE_URI_TOO_LONG: [414, 'uri_too_long', 'the request line is longer than this server accepts'],
};

function clientErrorResponse(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (err as { bytesParsed?: number }).bytesParsed === undefined) {
    socket.destroy();
    return;
  }
  const [status, code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'bad_request', 'the request could not be parsed as HTTP/1.1'];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Listens, and owns the process's end: a port already in use is one line on stderr and exit code 1
 * (not a "listening" log and an idle process); SIGTERM/SIGINT stop accepting, let in-flight requests
 * finish (up to the grace), then run onStopped and exit 0.
 */
export function serve(app: Express, opts: ServeOptions, log: Logger): http.Server {
  const server = http.createServer(app);
  let stopping = false;
  server.on('clientError', clientErrorResponse);
  const inFlight = new Set<http.ServerResponse>();
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    // Keep-alive clients are told to reconnect elsewhere once their current request is answered.
    if (stopping && !res.headersSent) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  server.once('error', (err: NodeJS.ErrnoException) => {
    const what = err.code === 'EADDRINUSE' ? 'is already in use' : err.code === 'EACCES' ? 'needs more privileges' : `cannot be listened on (${err.code ?? err.message})`;
    process.stderr.write(`error: port ${opts.port} on ${opts.host} ${what}; stop the other process or set PORT to a free port\n`);
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    log.info({ port }, `v2crm listening on http://localhost:${port}/api/v2/crm/accounts`);
  });

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceSeconds: opts.shutdownGraceMs / 1000 }, 'shutting down: no new connections, waiting for in-flight requests');
    // One turn of the event loop first: connections already completed by the kernel are accepted and
    // bytes already received are read, so those requests count as in flight instead of being reset.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // Answers still being worked on close their connection after them, so no client sends another
    // request on a socket that is about to go.
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), opts.shutdownGraceMs);
    });
    if ((await Promise.race([closed, graceOver])) === 'timeout') {
      log.warn('shutdown grace is over: closing the connections still open');
      server.closeAllConnections();
    }
    clearTimeout(timer);
    try {
      await opts.onStopped();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return server;
}
