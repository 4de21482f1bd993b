/** A refusal or failure from the control plane, with the problem's stable `code` when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Record<string, unknown>;

  constructor(status: number, code: string, message: string, problem: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problem = problem;
  }
}

/** True when the control plane could not be reached at all (as opposed to answering with an error). */
export function isNetworkError(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'network';
}

/** What a request answered: the status (200, 201, 202…) and the parsed JSON body. */
export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** Calls the control plane's `/v1` API with a bearer token. */
export interface Api {
  readonly token: string;
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body: unknown): Promise<ApiAnswer<T>>;
  /** Opens a streaming GET (server-sent events); the caller reads the body. */
  open(path: string, signal: AbortSignal): Promise<Response>;
}

async function problemOf(response: Response): Promise<ApiError> {
  let problem: Record<string, unknown> = {};
  try {
    problem = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not JSON: a proxy's page, say. The status still says enough.
  }
  const code = typeof problem.code === 'string' ? problem.code : `http_${response.status}`;
  const detail =
    typeof problem.detail === 'string'
      ? problem.detail
      : typeof problem.title === 'string'
        ? problem.title
        : `${response.status} ${response.statusText}`;
  return new ApiError(response.status, code, detail, problem);
}

/** The most pages one list follows, so that a server naming page after page cannot hold a view. */
const MAX_LIST_PAGES = 100;

/**
 * A whole list from a paged endpoint (`{[field]: [...], nextCursor}`): every page, following
 * `nextCursor` until it is null.
 *
 * @example
 * const { runs } = await getAll<{ runs: RunRecord[] }>(api, '/v1/runs', 'runs');
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
      throw new ApiError(0, 'network', 'the control plane cannot be reached');
    }
    if (!response.ok) throw await problemOf(response);
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
