/**
 * A typed HTTP client for the /v1 API: one place that knows the base URL, the bearer token and how
 * answers are decoded. Every failure leaves as an ApiError (the daemon said no) or a
 * DaemonUnreachableError (nobody answered), so callers never inspect raw responses.
 */
import { ApiError, DaemonUnreachableError, apiErrorFrom, networkReason } from './errors.js';
import type { CreateSessionRequest, CreatedSession, DeliveryResult, Health, MetricsTotals, Pane, Permission, ReadResponse, Session, SessionStatus } from './types.js';

export interface ClientOptions {
  /** e.g. http://127.0.0.1:9100 (a trailing slash or /v1 suffix is tolerated). */
  baseUrl: string;
  token?: string | undefined;
}

type Query = Record<string, string | number | undefined>;
type RequestOptions = { body?: unknown; query?: Query; signal?: AbortSignal | undefined };

export class AegisClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor({ baseUrl, token }: ClientOptions) {
    this.baseUrl = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.token = token || undefined;
  }

  health(signal?: AbortSignal): Promise<Health> {
    return this.request('GET', '/v1/health', { signal });
  }

  metrics(): Promise<MetricsTotals> {
    return this.request('GET', '/v1/metrics');
  }

  /** The metrics as Prometheus text. */
  prometheusMetrics(): Promise<string> {
    return this.requestText('GET', '/v1/metrics', { query: { format: 'prometheus' } });
  }

  async listSessions(status?: SessionStatus): Promise<Session[]> {
    const body = await this.request<{ sessions: Session[] }>('GET', '/v1/sessions', { query: { status } });
    return body.sessions;
  }

  createSession(input: CreateSessionRequest): Promise<CreatedSession> {
    return this.request('POST', '/v1/sessions', { body: input });
  }

  deleteSession(id: string): Promise<Session> {
    return this.request('DELETE', `/v1/sessions/${encodeURIComponent(id)}`);
  }

  send(id: string, text: string): Promise<DeliveryResult> {
    return this.request('POST', `/v1/sessions/${encodeURIComponent(id)}/send`, { body: { text } });
  }

  read(id: string, options: { after?: string | undefined; limit?: number | undefined } = {}): Promise<ReadResponse> {
    return this.request('GET', `/v1/sessions/${encodeURIComponent(id)}/read`, { query: options });
  }

  async permissions(id: string): Promise<Permission[]> {
    const body = await this.request<{ pending: Permission[] }>('GET', `${sessionPath(id)}/permissions`);
    return body.pending;
  }

  approve(id: string, body: { permissionId?: string | undefined; always?: boolean | undefined }): Promise<{ approved: true; permission: Permission }> {
    return this.request('POST', `${sessionPath(id)}/approve`, { body });
  }

  reject(id: string, body: { permissionId?: string | undefined; message?: string | undefined }): Promise<{ rejected: true; permission: Permission }> {
    return this.request('POST', `${sessionPath(id)}/reject`, { body });
  }

  answer(
    id: string,
    body: ({ answer: string } | { optionIndex: number }) & { questionId?: string | undefined },
  ): Promise<{ answered: true; question: Permission; answers: Record<string, string> }> {
    return this.request('POST', `${sessionPath(id)}/answer`, { body });
  }

  interrupt(id: string): Promise<{ interrupted: boolean; session: Session }> {
    return this.request('POST', `${sessionPath(id)}/interrupt`, { body: {} });
  }

  pane(id: string): Promise<Pane> {
    return this.request('GET', `${sessionPath(id)}/pane`);
  }

  getSession(id: string): Promise<Session> {
    return this.request('GET', sessionPath(id));
  }

  /** Headers every request carries; exposed for the SSE follower, which streams instead of decoding. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** Sends one request; 2xx JSON comes back decoded, anything else is thrown as a typed error. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { status, text } = await this.exchange(method, path, options);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(status, 'BAD_RESPONSE', `the daemon at ${this.baseUrl} answered ${method} ${path} with something that is not JSON`);
    }
  }

  /** The same for an answer that is text. */
  async requestText(method: string, path: string, options: RequestOptions = {}): Promise<string> {
    return (await this.exchange(method, path, options)).text;
  }

  /** Sends one request and reads the whole answer; an answer other than 2xx is thrown as a typed error. */
  private async exchange(method: string, path: string, options: RequestOptions): Promise<{ status: number; text: string }> {
    const url = this.url(path, options.query);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: this.headers(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      text = await response.text();
    } catch (err) {
      // Refused, unresolvable, or cut off mid-answer: in every case nobody could answer us.
      throw new DaemonUnreachableError(this.baseUrl, networkReason(err));
    }
    if (!response.ok) throw apiErrorFrom(response.status, response.statusText, text);
    return { status: response.status, text };
  }
}

function sessionPath(id: string): string {
  return `/v1/sessions/${encodeURIComponent(id)}`;
}
