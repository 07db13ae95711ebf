import { describe, expect, it } from 'vitest';
import { DisposalError, Disposals } from './disposals.js';

describe('Disposals', () => {
  it('closes synchronous steps before disposeAll returns, last deferred first', async () => {
    const closed: string[] = [];
    const disposals = new Disposals();
    disposals.defer('first', () => closed.push('first'));
    disposals.defer('second', () => closed.push('second'));
    const disposed = disposals.disposeAll();
    expect(closed).toEqual(['second', 'first']);
    expect(disposals.closing).toBe(true);
    await disposed;
  });

  it('runs every step although one fails, and names the failing one', async () => {
    const closed: string[] = [];
    const disposals = new Disposals();
    disposals.defer('database', () => closed.push('database'));
    disposals.defer('tmux', async () => {
      await Promise.resolve();
      throw new Error('stuck');
    });
    disposals.defer('watch', () => closed.push('watch'));
    const failure = await disposals.disposeAll().catch((err: unknown) => err);
    expect(closed).toEqual(['watch', 'database']);
    expect(failure).toBeInstanceOf(DisposalError);
    expect((failure as DisposalError).failures.map((f) => f.step)).toEqual(['tmux']);
  });

  it('closes once when closed twice, and refuses what comes after', async () => {
    let closes = 0;
    const disposals = new Disposals();
    disposals.defer('part', () => closes++);
    await disposals.disposeAll();
    await disposals.disposeAll();
    expect(closes).toBe(1);
    expect(() => disposals.defer('late', () => {})).toThrow(/already closing/);
  });
});
