import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { Call } from '@estop/core';
import { createGuard } from '../src/index.js';
import { FakeControlPlane } from './fake-control-plane.js';
import { createTestGuard } from './test-guard.js';
import { waitFor } from './wait-for.js';

const write: Call = { tenant: 'acme', tool: 'email.send', effect: 'write' };
const read: Call = { tenant: 'acme', tool: 'crm.lookup', effect: 'read' };

describe('break-glass by environment variable stops the host whatever the control plane says', () => {
  afterEach(() => {
    delete process.env['ESTOP_BREAK_GLASS'];
    delete process.env['ESTOP_BREAK_GLASS_FILE'];
  });

  it('ESTOP_BREAK_GLASS=read_only denies writes with source break_glass, even when synced', async () => {
    process.env['ESTOP_BREAK_GLASS'] = 'read_only';
    const fake = await FakeControlPlane.start();
    const { guard } = createTestGuard(fake, { breakGlass: undefined });
    try {
      await guard.ready();
      const decision = guard.decide(write);
      assert.equal(decision.outcome, 'deny');
      assert.equal(decision.source, 'break_glass');
      assert.match(decision.reason ?? '', /ESTOP_BREAK_GLASS/);
      assert.equal(guard.decide(read).outcome, 'allow');
    } finally {
      await guard.close();
      await fake.close();
    }
  });

  it('ESTOP_BREAK_GLASS=full_stop refuses every call when the control plane is unreachable', async () => {
    process.env['ESTOP_BREAK_GLASS'] = 'full_stop';
    const guard = createGuard({ url: 'http://127.0.0.1:9', token: 'estop_x', onError: () => undefined });
    try {
      const decision = guard.decide(read);
      assert.equal(decision.outcome, 'deny');
      assert.equal(decision.source, 'break_glass');
    } finally {
      await guard.close();
    }
  });

  it('an unknown value is a full_stop, reported as config_invalid', async () => {
    process.env['ESTOP_BREAK_GLASS'] = 'stop-everything';
    const fake = await FakeControlPlane.start();
    const { guard, errors } = createTestGuard(fake, { breakGlass: undefined });
    try {
      await guard.ready();
      assert.equal(guard.decide(read).outcome, 'deny');
      assert.equal(errors[0]?.code, 'config_invalid');
    } finally {
      await guard.close();
      await fake.close();
    }
  });
});

describe('break-glass by file follows the file as it is created, changed, replaced and removed', () => {
  it('applies the mode the file holds, and none when it is empty or gone', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'estop-break-glass-'));
    const file = join(directory, 'break-glass');
    const fake = await FakeControlPlane.start();
    const { guard, errors } = createTestGuard(fake, { breakGlass: { file, intervalMs: 20 } });
    const source = (call: Call) => () => guard.decide(call).source;
    try {
      await guard.ready();
      assert.equal(guard.decide(write).outcome, 'allow', 'a missing file is no override');

      writeFileSync(file, 'read_only\n');
      await waitFor('the created file to apply', () => source(write)() === 'break_glass');
      assert.equal(guard.decide(read).outcome, 'allow');

      writeFileSync(file, 'full_stop');
      await waitFor('the changed file to apply', () => source(read)() === 'break_glass');

      writeFileSync(`${file}.next`, ' read_only ');
      renameSync(`${file}.next`, file);
      await waitFor('the replaced file to apply', () => guard.decide(read).outcome === 'allow');
      assert.equal(guard.decide(write).source, 'break_glass');

      writeFileSync(file, '');
      await waitFor('the emptied file to lift the override', () => guard.decide(write).outcome === 'allow');

      writeFileSync(file, 'full_stop');
      await waitFor('the file to apply again', () => source(read)() === 'break_glass');
      rmSync(file);
      await waitFor('the removed file to lift the override', () => guard.decide(read).outcome === 'allow');
      assert.equal(guard.decide(write).outcome, 'allow');
      assert.deepEqual(errors, []);
    } finally {
      await guard.close();
      await fake.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('is read at once when the guard starts, and combines with the variable into the stricter mode', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'estop-break-glass-'));
    const file = join(directory, 'break-glass');
    writeFileSync(file, 'full_stop');
    process.env['ESTOP_BREAK_GLASS'] = 'read_only';
    process.env['ESTOP_BREAK_GLASS_FILE'] = file;
    const guard = createGuard({ url: 'http://127.0.0.1:9', token: 'estop_x', onError: () => undefined });
    try {
      const decision = guard.decide(read);
      assert.equal(decision.outcome, 'deny');
      assert.equal(decision.source, 'break_glass');
      assert.match(decision.reason ?? '', /break-glass override from .*break-glass: full_stop/);
    } finally {
      await guard.close();
      delete process.env['ESTOP_BREAK_GLASS'];
      delete process.env['ESTOP_BREAK_GLASS_FILE'];
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('an unknown mode in the file is a full_stop, reported', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'estop-break-glass-'));
    const file = join(directory, 'break-glass');
    writeFileSync(file, 'halt');
    const errors: Error[] = [];
    const guard = createGuard({
      url: 'http://127.0.0.1:9',
      token: 'estop_x',
      breakGlass: { file },
      onError: (error) => errors.push(error),
    });
    try {
      assert.equal(guard.decide(read).outcome, 'deny');
      assert.ok(errors.some((error) => /halt/.test(error.message)));
    } finally {
      await guard.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
