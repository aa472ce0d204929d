import http from 'node:http';
import net, { type Socket } from 'node:net';
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

/** At shutdown, how long a connection accepted just before may take to send its first request. */
const FIRST_REQUEST_WINDOW_MS = 2000;
/** At shutdown, how long connections already waiting in the kernel's accept queue may still be accepted. */
const ACCEPT_DRAIN_MS = 10_000;
/** At shutdown, how long without a new connection ends the accepting. */
const ACCEPT_QUIET_MS = 1000;

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
  // Connections accepted that have not sent their first request yet: at shutdown they are given a
  // moment to send it (a client that has just connected is not idle, it is about to speak).
  const fresh = new Set<Socket>();
  let accepted = 0;
  server.on('connection', (socket: Socket) => {
    accepted++;
    fresh.add(socket);
    socket.once('close', () => fresh.delete(socket));
  });
  // Requests being answered on each connection that has carried one: 0 means idle between requests.
  const active = new Map<Socket, number>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    fresh.delete(socket);
    if (!active.has(socket)) socket.once('close', () => active.delete(socket));
    active.set(socket, (active.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const left = (active.get(socket) ?? 1) - 1;
      if (active.has(socket)) active.set(socket, left);
      // Once stopping, a connection whose last answer is out has nothing left to wait for (end, not
      // destroy: the answer's bytes may still be on their way).
      if (stopping && left === 0) socket.end();
    });
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
    // Connections the kernel has completed but Node has not accepted yet would be reset if the listener
    // closed now: they wait there while the loop is busy, and a client that has
    // just started a request may be connecting right now (a client busy building its bodies was seen
    // to connect 150 ms and more after others). Keep accepting until ACCEPT_QUIET_MS pass with no new
    // connection (their answers say Connection: close), at most ACCEPT_DRAIN_MS.
    const drainUntil = Date.now() + Math.min(ACCEPT_DRAIN_MS, opts.shutdownGraceMs);
    for (let seen = accepted, quietSince = Date.now(); Date.now() < drainUntil; ) {
      // The check runs after a poll phase (setImmediate), never straight from the timer: a loop that was
      // busy for seconds (a handler that ran long without yielding) fires the timer before it
      // polls, so "no new connection for 1 s" would be read before the queue was looked at, and closing
      // the listener then resets every connection still waiting in it.
      await new Promise((resolve) => setTimeout(resolve, 25));
      await new Promise((resolve) => setImmediate(resolve));
      if (accepted !== seen) {
        seen = accepted;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= Math.min(ACCEPT_QUIET_MS, opts.shutdownGraceMs)) break;
    }
    // Answers still being worked on close their connection after them, so no client sends another
    // request on a socket that is about to go.
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    // net.Server's close stops accepting and resolves once every connection has ended; http.Server's
    // own close would also cut connections that were accepted but have not sent their request yet.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
    for (const [socket, n] of active) if (n === 0) socket.destroy();
    // Node's closeIdleConnections would count a just-accepted connection as idle and cut it, losing
    // the request its client is about to send (ECONNRESET): it gets a window to send it instead.
    // Only a connection that has sent nothing at all by then is cut (one that has begun its request has
    // until the grace ends). The check waits one more turn of the loop (setImmediate runs after the poll
    // phase): on a loop that was busy, the timer fires before the bytes already in the kernel are read,
    // and cutting then would reset a request that has in fact arrived.
    const waiting = [...fresh];
    setTimeout(() => {
      setImmediate(() => {
        for (const socket of waiting) if (fresh.has(socket) && socket.bytesRead === 0) socket.destroy();
      });
    }, Math.min(FIRST_REQUEST_WINDOW_MS, opts.shutdownGraceMs)).unref();
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
