// The control plane's source is kept in rooms by capability (docs/architecture.md): each room
// holds its routes and its service; routes parse, authorize once, call the service and
// serialize. These cases read the source and hold that shape.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(directory: string, found: string[] = []): string[] {
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, found);
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const files = sourceFiles(source);
const text = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));
const shown = (file: string) => relative(source, file);
const routeFiles = files.filter((file) => file.endsWith('-routes.ts'));
const serviceFiles = files.filter((file) => file.endsWith('-service.ts'));

/** Each file's relative imports (type-only ones too), as absolute paths of source files. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, content] of text) {
    const targets = [...content.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g)].map((match) =>
      resolve(dirname(file), `${match[1]}.ts`),
    );
    graph.set(file, targets);
  }
  return graph;
}

/** The first import cycle found in `graph`, as the files along it (the first repeated at the end). */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  function visit(node: string): string[] | undefined {
    if (onPath.has(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return undefined;
    path.push(node);
    onPath.add(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    onPath.delete(node);
    done.add(node);
    return undefined;
  }
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe("the control plane's source is in rooms by capability", () => {
  it('each capability has a room with its routes and its service', () => {
    const rooms: Record<string, string> = {
      rules: 'rule',
      restores: 'restore',
      approvals: 'approval',
      drafts: 'draft',
      idempotency: 'idempotency',
      runs: 'run',
      enforcers: 'enforcer',
      audit: 'audit',
      tokens: 'token',
      sentinels: 'sentinel',
    };
    for (const [room, name] of Object.entries(rooms)) {
      for (const kind of ['routes', 'service']) {
        const file = join(source, room, `${name}-${kind}.ts`);
        assert.ok(text.has(file), `${shown(file)} is missing`);
      }
    }
    for (const file of ['stream/state-routes.ts', 'stream/event-routes.ts']) {
      assert.ok(text.has(join(source, file)), `${file} is missing`);
    }
  });

  it('routes take only the services they use, never the store', () => {
    assert.ok(routeFiles.length >= 14, 'the route modules are found');
    for (const file of routeFiles) {
      const content = text.get(file) ?? '';
      assert.doesNotMatch(content, /deps: AppDeps\b/, `${shown(file)} takes the whole AppDeps`);
      assert.doesNotMatch(content, /\.store\b/, `${shown(file)} reaches into the store`);
      assert.doesNotMatch(content, /from '@estop\/store-/, `${shown(file)} imports a store`);
    }
  });

  it('routes authorize once: no service checks a role', () => {
    assert.ok(serviceFiles.length >= 10, 'the services are found');
    for (const file of serviceFiles) {
      assert.doesNotMatch(text.get(file) ?? '', /requireRole\(/, `${shown(file)} checks a role the route checked`);
    }
  });

  it('audit entries are drafted by services, not by routes', () => {
    for (const file of routeFiles) {
      assert.doesNotMatch(text.get(file) ?? '', /action: '/, `${shown(file)} drafts an audit entry`);
    }
  });

  it('the Logger is declared once, in logger.ts', () => {
    const declaring = files.filter((file) => /interface Logger\b/.test(text.get(file) ?? '')).map(shown);
    assert.deepEqual(declaring, ['logger.ts']);
  });

  it('no two files import each other, even for types, by any way round', () => {
    const cycle = findCycle(importGraph());
    assert.equal(cycle, undefined, `an import cycle: ${(cycle ?? []).map(shown).join(' -> ')}`);
  });

  it('the cycle finder finds a cycle of types through a logger, and none in a tree', () => {
    const cyclic = new Map([
      ['app', ['routes', 'logger']],
      ['routes', ['service']],
      ['service', ['app']],
      ['logger', []],
    ]);
    assert.deepEqual(findCycle(cyclic), ['app', 'routes', 'service', 'app']);
    const tree = new Map([
      ['app', ['routes', 'logger']],
      ['routes', ['service', 'logger']],
      ['service', ['logger']],
      ['logger', []],
    ]);
    assert.equal(findCycle(tree), undefined);
  });
});
