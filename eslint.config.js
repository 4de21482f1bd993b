import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The architecture's import boundaries (docs/architecture.md): what each package may import.
// scripts/lint-boundaries.test.ts proves each rule fires. A package's tests keep its boundary: tests
// that wire a real control plane, stores and a guard (or the gateway, or the dashboard) together
// live in the e2e/ workspace, which may import every package.
const TESTS = ['**/*.test.{ts,tsx}', '**/test/**'];
const STORES = ['@estop/store-sqlite', '@estop/store-postgres', '@estop/store-redis'];
const APPS = ['@estop/cli', '@estop/dashboard'];

/**
 * One package's boundary: `always` holds in every file of the package, `sources` only in its
 * source files (not in tests, nor in the paths `nodeOnly` names).
 */
function boundary(name, { always = [], sources = [], nodeOnly = [] }) {
  const rule = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });
  const tests = [`packages/${name}/**/*.test.{ts,tsx}`, `packages/${name}/test/**/*.{ts,tsx}`];
  const configs = [
    {
      files: [`packages/${name}/src/**/*.{ts,tsx}`],
      ignores: [...tests, ...nodeOnly],
      rules: rule([...always, ...sources]),
    },
  ];
  if (always.length > 0) configs.push({ files: [...tests, ...nodeOnly], rules: rule(always) });
  return configs;
}

/** Restricts `group` with a message naming the boundary. */
const forbid = (message, ...group) => ({ group, message });

/** Restricts Node's built-in modules, `node:fs` and bare `fs` alike. */
const forbidNode = (message) => ({
  regex: `^(node:.*|${builtinModules.map((name) => name.replaceAll('/', '\\/')).join('|')})$`,
  message,
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.estop/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain JavaScript here (scripts, the CLI launcher) runs on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  // core: the pure domain; no node:* I/O, no other estop package. Its Node-only conformance
  // suites (`@estop/core/testing`) may use node:test and node:assert.
  ...boundary('core', {
    always: [forbid('core imports no other estop package', '@estop/*')],
    sources: [forbidNode('core imports no node:* I/O (its testing/ subpath is Node-only)')],
    nodeOnly: ['packages/core/src/testing/**'],
  }),
  {
    // The mode table reaches the browser through `@estop/core/modes`: it imports types only.
    files: ['packages/core/src/modes.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '.*',
              allowTypeImports: true,
              message: 'the mode table imports types only: the dashboard bundles it through @estop/core/modes',
            },
          ],
        },
      ],
    },
  },
  // Stores: core and their drivers only.
  ...['store-sqlite', 'store-postgres', 'store-redis'].flatMap((store) =>
    boundary(store, {
      always: [
        forbid(
          `a store imports only core of estop's packages`,
          '@estop/*',
          '!@estop/core',
          '!@estop/core/*',
          `!@estop/${store}`,
        ),
      ],
    }),
  ),
  // The protocol client runs in Node and in the browser: core only, no node:*.
  ...boundary('client', {
    always: [forbid("the client imports only core of estop's packages", '@estop/*', '!@estop/core', '!@estop/core/*')],
    sources: [forbidNode('the client runs in the browser too: no node:*')],
  }),
  ...boundary('sdk', {
    always: [
      forbid('the SDK imports no gateway or app', '@estop/gateway', ...APPS),
      forbid('the SDK never imports the server or a store (tests with both live in e2e/)', '@estop/server', ...STORES),
    ],
  }),
  ...boundary('gateway', {
    always: [
      forbid('the gateway imports no app', ...APPS),
      forbid(
        'the gateway never imports the server or a store (tests with both live in e2e/)',
        '@estop/server',
        ...STORES,
      ),
    ],
  }),
  ...boundary('server', {
    always: [
      forbid('the server imports no gateway or app', '@estop/gateway', ...APPS),
      forbid('the server never imports the SDK (tests with both live in e2e/)', '@estop/sdk', '@estop/sdk/*'),
    ],
  }),
  {
    // The dashboard is a browser bundle: core as types only (zod and the domain stay out of it),
    // except the mode table's dependency-free subpath; the protocol through @estop/client.
    files: ['packages/dashboard/src/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@estop/core',
              allowTypeImports: true,
              message:
                'the dashboard imports core as types only (values come through @estop/client), the mode table from @estop/core/modes',
            },
          ],
          patterns: [
            forbid(
              "the dashboard imports only @estop/core/modes of core's subpaths",
              '@estop/core/*',
              '!@estop/core/modes',
            ),
            forbid(
              'the dashboard imports no server, SDK, gateway, store or CLI',
              '@estop/server',
              '@estop/sdk',
              '@estop/sdk/*',
              '@estop/gateway',
              '@estop/cli',
              ...STORES,
            ),
            forbidNode('the dashboard runs in the browser: no node:*'),
          ],
        },
      ],
    },
  },
  {
    // The dashboard's own tests (its parsers, its live connection) need no other package than core:
    // the ones driving a real control plane and a guard in a browser live in e2e/dashboard/.
    files: ['packages/dashboard/test/**/*.{ts,tsx}', 'packages/dashboard/src/**/*.test.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              "the dashboard's tests import no server, SDK, gateway, store or CLI (tests with them live in e2e/)",
              '@estop/server',
              '@estop/sdk',
              '@estop/sdk/*',
              '@estop/gateway',
              '@estop/cli',
              ...STORES,
            ),
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON answers loosely; the assertions are what check their shape.
    files: ['**/*.test.ts', '**/test/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'scripts/cluster/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
