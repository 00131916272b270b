import { parseFunctionConfig, type RunnableFunction } from '@mini-lambda/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Registrations } from '../src/sandbox-process/registrations.ts';
import { disposeSandboxed, startSandboxed } from './sandboxed-harness.ts';

const record = (name: string, version = 1, timeout_ms = 1000): RunnableFunction => ({
  name,
  version,
  sha256: `${name}${version}`.padEnd(64, '0'),
  config: parseFunctionConfig({ timeout_ms }),
});

/** Registrations whose messages to the sandbox are written down. */
function registrations(max: number) {
  const sent: string[] = [];
  const regs = new Registrations(max, {
    register: (ref, fn) => sent.push(`register ${ref} ${fn.name}@${fn.version}`),
    unregister: (ref) => sent.push(`unregister ${ref}`),
  });
  const acquire = (fn: RunnableFunction) => regs.acquire(fn, JSON.stringify(fn));
  return { regs, sent, acquire };
}

describe('registrations with one sandbox', () => {
  it('registers a record once, and a changed config of the same version anew', () => {
    const { regs, sent, acquire } = registrations(10);
    const a = acquire(record('a'));
    regs.release(a);
    const again = acquire(record('a')); // another object, the same content
    expect(again).toBe(a);
    const patched = acquire(record('a', 1, 2000));
    expect(patched.ref).not.toBe(a.ref);
    expect(sent).toEqual(['register 1 a@1', 'register 2 a@1']);
    expect(a.inFlight).toBe(1);
  });

  it('keeps to its bound: the least recently used record without a call in flight goes', () => {
    const { regs, sent, acquire } = registrations(2);
    const a = acquire(record('a'));
    const b = acquire(record('b'));
    regs.release(b);
    regs.release(a); // idle both; a was used longest ago
    const c = acquire(record('c'));
    expect(regs.get(a.ref)).toBeUndefined();
    expect(regs.get(b.ref)).toBe(b);
    expect(regs.get(c.ref)).toBe(c);
    expect(sent.slice(2)).toEqual(['unregister 1', 'register 3 c@1']);
    expect(regs.size).toBe(2);
  });

  it('never unregisters a record with a call in flight; the bound gives instead', () => {
    const { regs, sent, acquire } = registrations(2);
    acquire(record('a'));
    acquire(record('b'));
    acquire(record('c'));
    expect(regs.size).toBe(3);
    expect(sent.filter((m) => m.startsWith('unregister'))).toEqual([]);
  });

  it('retires a name once its calls end; it comes back under a new ref', () => {
    const { regs, sent, acquire } = registrations(10);
    const v1 = acquire(record('a', 1));
    const v2 = acquire(record('a', 2));
    regs.release(v2);
    const other = acquire(record('b'));
    regs.retire('a');
    expect(sent.at(-1)).toBe('unregister 2'); // v2 was idle
    expect(regs.get(v1.ref)).toBe(v1); // in flight: still served
    expect(regs.hasName('a')).toBe(true);
    regs.release(v1);
    expect(sent.at(-1)).toBe('unregister 1');
    expect(regs.hasName('a')).toBe(false);
    expect(regs.get(other.ref)).toBe(other);
    expect(acquire(record('a', 1)).ref).toBe(4);
  });

  it('retires one version', () => {
    const { regs, acquire } = registrations(10);
    const v1 = acquire(record('a', 1));
    const v2 = acquire(record('a', 2));
    regs.release(v1);
    regs.release(v2);
    regs.retire('a', 2);
    expect(regs.get(v1.ref)).toBe(v1);
    expect(regs.get(v2.ref)).toBeUndefined();
  });
});

describe('registrations with a real sandbox', () => {
  afterEach(disposeSandboxed);
  const ECHO = 'export function handler(e) { return e }';
  const SLOW =
    'export function handler() { const end = Date.now() + 300; while (Date.now() < end) {} return 1 }';

  it('runs a changed config of the same version in the same pool, loading its code once', async () => {
    const t = startSandboxed({ sandboxes: 1 });
    const fn = t.deploy('echo', ECHO, { timeout_ms: 1000 });
    expect(await t.runtime.invoke(fn, '1')).toMatchObject({ ok: true, coldStart: true });
    const patched = t.deploy('echo', ECHO, { timeout_ms: 2000 });
    expect(await t.runtime.invoke(patched, '2')).toMatchObject({ ok: true, coldStart: false });
    expect(t.loads.get(fn.sha256)).toBe(1);
  });

  it('keeps serving more versions than its bound; their pools stay warm', async () => {
    const t = startSandboxed({ sandboxes: 1, registrations: 2 });
    const versions = [1, 2, 3, 4].map((v) => t.deploy('f', `${ECHO} // ${v}`, {}, v));
    for (const fn of versions) {
      expect(await t.runtime.invoke(fn, String(fn.version))).toMatchObject({ ok: true });
    }
    for (const fn of versions) {
      const out = await t.runtime.invoke(fn, String(fn.version));
      expect(out).toMatchObject({ ok: true, coldStart: false, result: String(fn.version) });
    }
    for (const fn of versions) expect(t.loads.get(fn.sha256)).toBe(1);
    expect(t.exits).toEqual([]);
  });

  it('retires a function with a cold call in flight: the call ends well, later calls start anew', async () => {
    const t = startSandboxed({ sandboxes: 1 });
    expect(await t.runtime.invoke(t.deploy('echo', ECHO), '1')).toMatchObject({ ok: true });
    const slow = t.deploy('slow', SLOW, { timeout_ms: 5000 });
    const running = t.runtime.invoke(slow, '');
    await new Promise((r) => setImmediate(r)); // the call is on its way to the sandbox
    await t.runtime.retire('slow');
    expect(await running).toMatchObject({ ok: true, result: '1' });
    expect(await t.runtime.invoke(slow, '')).toMatchObject({ ok: true, coldStart: true });
    expect(t.exits).toEqual([]);
  });
});
