import { EstopError, isEstopError, problemError } from '@estop/client';

export { isNetworkError } from '@estop/client';

/**
 * The HTTP status a refusal from the control plane came with (0 when it could not be reached at
 * all), or undefined for an error that is not the control plane's.
 */
export function statusOf(error: unknown): number | undefined {
  const status = isEstopError(error) ? error.details?.status : undefined;
  return typeof status === 'number' ? status : undefined;
}

/** A field of the problem+json body a refusal came with (`liftableAt`, say), if it has one. */
export function problemField(error: unknown, field: string): unknown {
  return isEstopError(error) ? error.details?.[field] : undefined;
}

/** What a request answered: the status (200, 201, 202…) and the parsed JSON body. */
export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** Calls the control plane's API with a bearer token; paths come from `@estop/client`'s ROUTES. */
export interface Api {
  readonly token: string;
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body: unknown): Promise<ApiAnswer<T>>;
  /** Opens a streaming GET (server-sent events); the caller reads the body. */
  open(path: string, signal: AbortSignal): Promise<Response>;
}

/** The most pages one list follows, so that a server naming page after page cannot hold a view. */
const MAX_LIST_PAGES = 100;

/**
 * A whole list from a paged endpoint (`{[field]: [...], nextCursor}`): every page, following
 * `nextCursor` until it is null.
 *
 * @example
 * const { runs } = await getAll<{ runs: RunRecord[] }>(api, pathTo(ROUTES.listRuns), 'runs');
 */
export async function getAll<T>(api: Api, path: string, field: keyof T & string): Promise<T> {
  const separator = path.includes('?') ? '&' : '?';
  const first = await api.get<Record<string, unknown>>(path);
  const items = [...((first[field] as unknown[] | undefined) ?? [])];
  let cursor = first.nextCursor;
  for (let pages = 1; typeof cursor === 'string' && pages < MAX_LIST_PAGES; pages += 1) {
    const page = await api.get<Record<string, unknown>>(`${path}${separator}cursor=${encodeURIComponent(cursor)}`);
    items.push(...((page[field] as unknown[] | undefined) ?? []));
    cursor = page.nextCursor;
  }
  return { ...first, [field]: items, nextCursor: null } as T;
}

/** The API client for one token, against the origin that served the page (or `base`). */
export function createApi(token: string, base = ''): Api {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const send = async (path: string, init: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { ...init, credentials: 'omit' });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new EstopError({
        code: 'unavailable',
        message: 'the control plane cannot be reached',
        cause: error,
        details: { status: 0 },
      });
    }
    if (!response.ok) throw problemError(response, await response.text());
    return response;
  };
  return {
    token,
    async get<T>(path: string, signal?: AbortSignal) {
      const response = await send(path, { headers, signal });
      return (await response.json()) as T;
    },
    async post<T>(path: string, body: unknown) {
      const response = await send(path, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
    },
    open(path, signal) {
      return send(path, { headers: { ...headers, accept: 'text/event-stream' }, signal });
    },
  };
}
