// The architecture's import boundaries are held by ESLint (eslint.config.js). These cases lint
// one-line sources as if they sat in each package, and check that the rule fires on an import
// that crosses a boundary and stays quiet on one that does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The messages of the boundary rule for `code` placed at `path` (relative to the repository). */
async function boundaryMessages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: `${root}${path}` });
  assert.ok(result !== undefined);
  return result.messages
    .filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((message) => message.message);
}

async function assertCrosses(path: string, code: string, words: RegExp): Promise<void> {
  const messages = await boundaryMessages(path, code);
  assert.equal(messages.length, 1, `${path}: ${code} should cross a boundary`);
  assert.match(messages[0] ?? '', words);
}

async function assertAllowed(path: string, code: string): Promise<void> {
  assert.deepEqual(await boundaryMessages(path, code), [], `${path}: ${code} should be allowed`);
}

describe('npm run lint fails on an import that crosses a package boundary', () => {
  it('core imports no node:* I/O and no other estop package', async () => {
    await assertCrosses('packages/core/src/fixture.ts', "export { readFile } from 'node:fs/promises';", /core/);
    await assertCrosses(
      'packages/core/src/fixture.ts',
      "import { createServer } from 'node:http';\nvoid createServer;",
      /core/,
    );
    await assertCrosses(
      'packages/core/src/fixture.ts',
      "import { createGuard } from '@estop/sdk';\nvoid createGuard;",
      /core/,
    );
    await assertCrosses(
      'packages/core/src/fixture.ts',
      "import { readFileSync } from 'fs';\nvoid readFileSync;",
      /core/,
    );
    await assertCrosses(
      'packages/client/src/fixture.ts',
      "import { request } from 'node:https';\nvoid request;",
      /browser/,
    );
    await assertCrosses('packages/dashboard/src/fixture.ts', "import { join } from 'path';\nvoid join;", /browser/);
    await assertAllowed('packages/core/src/fixture.ts', "import { z } from 'zod';\nvoid z;");
    await assertAllowed('packages/core/src/fixture.ts', "import { fsLike } from './fs-like.js';\nvoid fsLike;");
  });

  it("core's mode table, which the dashboard bundles, imports types only", async () => {
    await assertCrosses(
      'packages/core/src/modes.ts',
      "import { ALLOW } from './decision.js';\nvoid ALLOW;",
      /types only/,
    );
    await assertAllowed(
      'packages/core/src/modes.ts',
      "import type { Outcome } from './decision.js';\nexport type O = Outcome;",
    );
  });

  it('a store imports core and its drivers, no other estop package', async () => {
    for (const store of ['store-sqlite', 'store-postgres', 'store-redis']) {
      await assertCrosses(
        `packages/${store}/src/fixture.ts`,
        "import { createControlPlane } from '@estop/server';\nvoid createControlPlane;",
        /store/,
      );
      await assertCrosses(
        `packages/${store}/src/fixture.ts`,
        "import { createGuard } from '@estop/sdk';\nvoid createGuard;",
        /store/,
      );
      await assertAllowed(
        `packages/${store}/src/fixture.ts`,
        "import { EstopError } from '@estop/core';\nvoid EstopError;",
      );
    }
  });

  it('the SDK and the gateway never import the server, nor the server the SDK', async () => {
    await assertCrosses(
      'packages/sdk/src/fixture.ts',
      "import { createControlPlane } from '@estop/server';\nvoid createControlPlane;",
      /server/,
    );
    await assertCrosses(
      'packages/gateway/src/fixture.ts',
      "import type { ControlPlane } from '@estop/server';\nexport type T = ControlPlane;",
      /server/,
    );
    await assertCrosses(
      'packages/server/src/fixture.ts',
      "import { createGuard } from '@estop/sdk';\nvoid createGuard;",
      /sdk/i,
    );
  });

  it("a package's tests keep its boundary: tests that span packages live in e2e/", async () => {
    await assertCrosses(
      'packages/sdk/test/fixture.ts',
      "import { createControlPlane } from '@estop/server';\nvoid createControlPlane;",
      /e2e/,
    );
    await assertCrosses(
      'packages/sdk/src/fixture.test.ts',
      "import { createSqliteStore } from '@estop/store-sqlite';\nvoid createSqliteStore;",
      /e2e/,
    );
    await assertCrosses(
      'packages/server/test/fixture.ts',
      "import { createGuard } from '@estop/sdk';\nvoid createGuard;",
      /e2e/,
    );
    await assertCrosses(
      'packages/server/test/fixture.ts',
      "import { guardTools } from '@estop/sdk/ai';\nvoid guardTools;",
      /e2e/,
    );
    await assertCrosses(
      'packages/dashboard/test/fixture.ts',
      "import { createGuard } from '@estop/sdk';\nvoid createGuard;",
      /e2e/,
    );
    await assertAllowed(
      'packages/dashboard/test/fixture.ts',
      "import { EstopError } from '@estop/core';\nvoid EstopError;",
    );
    await assertAllowed(
      'packages/server/test/fixture.ts',
      "import { createSqliteStore } from '@estop/store-sqlite';\nvoid createSqliteStore;",
    );
    for (const path of ['e2e/sdk/fixture.test.ts', 'e2e/server/fixture.ts', 'e2e/dashboard/fixture.ts']) {
      await assertAllowed(
        path,
        "import { createControlPlane } from '@estop/server';\nimport { createGuard } from '@estop/sdk';\nvoid createControlPlane;\nvoid createGuard;",
      );
    }
    await assertCrosses(
      'packages/gateway/test/fixture.ts',
      "import { createControlPlane } from '@estop/server';\nvoid createControlPlane;",
      /e2e/,
    );
    await assertCrosses(
      'packages/gateway/src/fixture.test.ts',
      "import type { ControlPlane } from '@estop/server';\nexport type T = ControlPlane;",
      /e2e/,
    );
    await assertAllowed(
      'e2e/gateway/fixture.ts',
      "import { createControlPlane } from '@estop/server';\nimport { createGateway } from '@estop/gateway';\nvoid createControlPlane;\nvoid createGateway;",
    );
  });

  it('the dashboard imports core as types only, and the mode table through its own subpath', async () => {
    await assertCrosses(
      'packages/dashboard/src/fixture.ts',
      "import { MODES } from '@estop/core';\nvoid MODES;",
      /types only/,
    );
    await assertCrosses(
      'packages/dashboard/src/fixture.tsx',
      "import { createMemoryStore } from '@estop/core/testing';\nvoid createMemoryStore;",
      /dashboard/,
    );
    await assertCrosses(
      'packages/dashboard/src/fixture.ts',
      "import { createGuard } from '@estop/sdk';\nvoid createGuard;",
      /dashboard/,
    );
    await assertAllowed(
      'packages/dashboard/src/fixture.ts',
      "import type { Mode } from '@estop/core';\nexport type M = Mode;",
    );
    await assertAllowed(
      'packages/dashboard/src/fixture.ts',
      "import { MODE_TABLE } from '@estop/core/modes';\nvoid MODE_TABLE;",
    );
  });
});
