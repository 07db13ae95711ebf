/**
 * The logging seam: the core depends on this small interface, the daemon hands it a pino logger
 * (JSON by default, pretty on a TTY) with credentials redacted wherever they could appear.
 */
import pino from 'pino';

type LogFn = (obj: object | string, msg?: string) => void;
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-aegis-hook-secret"]',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'authToken',
  '*.authToken',
  'key',
  '*.key',
  'secret',
  '*.secret',
  'env',
  '*.env',
  // The collector's credentials, wherever the configuration is logged.
  'claudeTelemetry.headers',
  '*.claudeTelemetry.headers',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Query strings can carry `?token=`; keep them out of request logs.
    serializers: {
      req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: req.url?.replace(/([?&]token=)[^&]*/g, '$1[redacted]'), ip: req.ip }),
    },
  };
  if (destination) return pino(options, destination as pino.DestinationStream);
  if (process.stdout.isTTY) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return pino(options);
}

/** A logger that drops everything, for tests of pure wiring. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
