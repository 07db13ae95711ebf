/**
 * Each request's logger (`request.log`), made when the request first logs something at a level the
 * daemon writes. fastify makes a pino child with the request id bound for every request; almost none
 * log anything, and making the child cost some 3% of a simple request's CPU. What a request does log
 * carries its request id as before.
 */
import { LogController, type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Bindings = Record<string, unknown>;
type Write = (...args: unknown[]) => void;

class RequestLogger {
  private made: FastifyBaseLogger | null = null;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: object,
  ) {}

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  silent(): void {}

  isLevelEnabled(level: string): boolean {
    return writes(this.made ?? this.parent, level);
  }

  child(bindings: Bindings, options?: object): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }

  private write(level: Level, args: unknown[]): void {
    if (this.made === null && !writes(this.parent, level)) return;
    (this.logger()[level] as Write)(...args);
  }

  private logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }
}

/** Whether a logger writes a level; a logger that cannot say (not pino) is asked to write it. */
export function writes(logger: FastifyBaseLogger, level: string): boolean {
  const ask = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return typeof ask === 'function' ? ask.call(logger, level) : true;
}

/** fastify's `childLoggerFactory`: a request logger that makes its pino child on first use. */
export const lazyRequestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  new RequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;

/**
 * The logging options of every fastify app of the daemon (the API and the hook listener): fastify logs
 * no request itself (the API logs each at debug from its own hook, tokens removed from URLs), and a
 * request's logger is made only when it logs.
 */
export function requestLoggingOptions(): Pick<FastifyServerOptions, 'logController' | 'childLoggerFactory'> {
  return { logController: new LogController({ disableRequestLogging: true }), childLoggerFactory: lazyRequestLogger };
}
