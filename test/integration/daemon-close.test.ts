/**
 * Closing the daemon closes every long-lived part even when one of them fails to close: the HTTP
 * server, tmux's control connection, the database and the state-dir lock are never left open behind a
 * failing step, and the caller hears which step failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { acquireStateDirLock } from '../../src/store/pid-lock.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

describe('closing the daemon', () => {
  let t: TestDaemon | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('closes tmux, the database and the state-dir lock when the sessions fail to close, and says so', async () => {
    t = await startTestDaemon();
    const { daemon } = t;
    expect(daemon.tmux.connected).toBe(true);
    const closeSessions = daemon.supervisor.close.bind(daemon.supervisor);
    daemon.supervisor.close = async (options) => {
      await closeSessions(options);
      throw new Error('a session would not close');
    };

    await expect(daemon.close()).rejects.toThrow(/sessions \(a session would not close\)/);

    expect(daemon.app.server.listening).toBe(false);
    expect(daemon.tmux.connected).toBe(false);
    expect(daemon.db.open).toBe(false);
    const release = acquireStateDirLock(t.config.stateDir);
    release();
  });

  it('closes each part once when closed twice', async () => {
    t = await startTestDaemon();
    const { daemon } = t;
    let closes = 0;
    const close = daemon.tmux.close.bind(daemon.tmux);
    daemon.tmux.close = () => {
      closes++;
      return close();
    };
    await Promise.all([daemon.close(), daemon.close()]);
    await daemon.close();
    expect(closes).toBe(1);
  });
});
