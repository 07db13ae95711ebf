/**
 * The dashboard as the build leaves it in dist/dashboard/ (the suite's global setup builds it): a page
 * that names its hashed script and stylesheet and holds no inline script or style, and a bundle that
 * asks nothing of the strict Content-Security-Policy the daemon serves it under: no `<style>` element
 * or style attribute written by xterm.js, no `eval`, no address of another origin to load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = resolve(import.meta.dirname, '../../dist/dashboard');
const page = () => readFileSync(join(DIST, 'index.html'), 'utf8');
const asset = (pattern: RegExp) => {
  const name = readdirSync(join(DIST, 'assets')).find((file) => pattern.test(file));
  expect(name, `an asset matching ${pattern}`).toBeDefined();
  return { name: name!, text: readFileSync(join(DIST, 'assets', name!), 'utf8') };
};

describe('the built dashboard', () => {
  it('is one page naming its script and stylesheet by their hashed names, with nothing inline', () => {
    const script = asset(/^main-[A-Z0-9]{8}\.js$/);
    const style = asset(/^main-[A-Z0-9]{8}\.css$/);
    const html = page();
    expect(html).toContain(`<script type="module" src="/assets/${script.name}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="/assets/${style.name}">`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:/i);
  });

  it('bundles xterm.js without the <style> elements and style attributes a strict style-src blocks', () => {
    const { text } = asset(/^main-[A-Z0-9]{8}\.js$/);
    expect(text).toContain('xterm-rows');
    expect(text).not.toMatch(/createElement\("style"\)/);
    expect(text).not.toMatch(/setAttribute\("style"/);
    expect(text).toContain('adoptedStyleSheets');
  });

  it('evaluates no strings as code and loads nothing from another origin', () => {
    for (const { text } of [asset(/\.js$/), asset(/\.css$/)]) {
      expect(text).not.toMatch(/\beval\(|new Function\(/);
      // The only absolute addresses are XML namespaces, which name and load nothing.
      expect(text.match(/https?:\/\/[^\s"'`)]+/g)?.filter((url) => !/^http:\/\/www\.w3\.org\//.test(url)) ?? []).toEqual([]);
      expect(text).not.toMatch(/@import|url\((?!data:)/);
    }
  });
});
