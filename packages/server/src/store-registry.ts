import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sha256, Store } from '@estop/core';

/** What opening a store is given: the data directory, the database URL if it takes one, the audit chain's hash. */
export interface StoreOpenOptions {
  data: string;
  databaseUrl?: string | undefined;
  sha256: Sha256;
}

/** One kind of store the control plane can run on: what it needs, and how to open it. */
export interface StoreKind {
  /** A few words for `estop serve --help`. */
  readonly summary: string;
  /** Keeps its data in the data directory, which is then created (0700) if missing. */
  readonly usesDataDirectory: boolean;
  /** Takes a database URL (--database-url, ESTOP_DATABASE_URL, `server.database_url`); what one looks like. */
  readonly databaseUrl?: { readonly example: string } | undefined;
  /** Opens the store, loading its package only then. Its `migrate()` is for the caller to run. */
  open(options: StoreOpenOptions): Promise<Store>;
}

/**
 * Every store the control plane can run on, by the name `--store`, ESTOP_STORE and `server.store`
 * take; the first is the default. The config schema, `estop serve --help` and its checks all derive
 * from this table: a new store is its package (passing `runStoreConformance`) and one entry here.
 */
export const STORE_KINDS = {
  sqlite: {
    summary: 'embedded: one file under --data',
    usesDataDirectory: true,
    async open({ data, sha256 }) {
      // Owner-only: the directory holds the admin token and the database of token hashes.
      await mkdir(data, { recursive: true, mode: 0o700 });
      const { createSqliteStore } = await import('@estop/store-sqlite');
      return createSqliteStore({ file: join(data, 'estop.db'), sha256 });
    },
  },
  postgres: {
    summary: 'PostgreSQL, shared by replicas',
    usesDataDirectory: false,
    databaseUrl: { example: 'postgres://user@host:5432/estop' },
    async open({ databaseUrl, sha256 }) {
      const { createPostgresStore } = await import('@estop/store-postgres');
      return createPostgresStore({ url: databaseUrl as string, sha256 });
    },
  },
} satisfies Record<string, StoreKind>;

/** The name of a store in `STORE_KINDS`. */
export type StoreName = keyof typeof STORE_KINDS;

/** Every store's name, the default first. */
export const STORE_NAMES = Object.keys(STORE_KINDS) as [StoreName, ...StoreName[]];

/** The store the control plane runs on when none is named. */
export const DEFAULT_STORE: StoreName = STORE_NAMES[0];

/** Whether `name` names a store in `STORE_KINDS`. */
export function isStoreName(name: string): name is StoreName {
  return Object.hasOwn(STORE_KINDS, name);
}

/** The registry's entry for a store. */
export function storeKind(name: StoreName): StoreKind {
  return STORE_KINDS[name];
}
