import pino, { Logger } from 'pino';
import pinoHttp from 'pino-http';

export function createLogger(level: string): Logger {
  return pino({ level, redact: ['req.headers.authorization', 'headers.authorization'] });
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
