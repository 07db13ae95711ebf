import { describe, expect, it } from 'vitest';
import { showsFirstRunScreen, startFailureHint } from './start-failure.js';

describe('startFailureHint', () => {
  it.each([
    ['Unable to connect to Anthropic services\nFailed to connect to api.example: ENOTFOUND', /could not reach its service/],
    ['Select login method:\n❯ 1. Claude account', /wants a login/],
    ['Not logged in · Please run /login', /wants a login/],
    ['Welcome to Claude Code\nChoose the text style', /first-run onboarding/],
    ['sh: 1: claude: not found', /could not be run/],
    ["env: '/opt/claude': Permission denied", /could not be run/],
  ])('names the cause of %j', (screen, hint) => {
    expect(startFailureHint(screen)).toMatch(hint);
  });

  it('tells a Claude command that could not be found or run by its exit code when its screen is empty', () => {
    expect(startFailureHint('', { exitCode: 127 })).toMatch(/^The Claude Code command was not found \(exit code 127\): check AEGIS_CLAUDE_COMMAND/);
    expect(startFailureHint('', { exitCode: 126 })).toMatch(/^The Claude Code command could not be executed \(exit code 126\)/);
  });

  it('does not take a file Claude cannot open for a command that cannot run', () => {
    expect(startFailureHint("Error: EACCES: permission denied, open '/home/a/.claude.json'")).not.toMatch(/could not be run/);
  });

  it('never points at an empty last screen', () => {
    expect(startFailureHint('', { exitCode: 1 })).not.toMatch(/lastScreen/);
    expect(startFailureHint('  \n ', { exitCode: null })).not.toMatch(/lastScreen/);
    expect(startFailureHint('', { exitCode: 1 })).toMatch(/printed nothing/);
  });

  it('points at the last screen when the cause is unknown, with the deadline when there was one', () => {
    expect(startFailureHint('something else', { timedOutMs: 30_000 })).toMatch(/within 30 s \(startTimeoutMs\)/);
    expect(startFailureHint('something else')).toMatch(/exited before it showed its prompt/);
  });
});

describe('showsFirstRunScreen', () => {
  it('knows the first-run screens no one answers, and nothing else', () => {
    expect(showsFirstRunScreen(" Let's get started.\n Choose the text style that looks best with your terminal")).toBe(true);
    expect(showsFirstRunScreen(' Select login method:\n ❯ 1. Claude account with subscription')).toBe(true);
    expect(showsFirstRunScreen(' Accessing workspace:\n ❯ No, exit')).toBe(false);
  });
});
