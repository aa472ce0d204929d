import pino, { Logger } from 'pino';
import pinoHttp from 'pino-http';

/** JSON lines on stdout; `toStderr` for CLI commands whose stdout is data (export). */
export function createLogger(level: string, toStderr = false): Logger {
  const options = { level, redact: ['req.headers.authorization', 'headers.authorization'] };
  return toStderr ? pino(options, pino.destination(2)) : pino(options);
}

/** One JSON line per request with its latency; no headers, no bodies, so no credentials in logs. */
export function requestLogger(log: Logger) {
  return pinoHttp({
    logger: log,
    quietReqLogger: true,
    serializers: {
      req: (req) => ({ method: req.method, url: req.url }),
      res: (res) => ({ status: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customProps: (req) => ({ user: (req as { user?: { id: number } }).user?.id }),
  });
}
