import { describe, expect, it } from 'vitest';
import { jsonList, ItemTexts, samePlainData } from './json-list.js';

/** JSON.stringify, counting the items it was asked for. */
function countingSerialiser() {
  const asked: unknown[] = [];
  return {
    asked,
    serialise: (item: unknown) => {
      asked.push(item);
      return JSON.stringify(item);
    },
  };
}

const session = (id: string, status = 'idle') => ({ id, status, usage: { costUsd: 0, byModel: [{ model: 'm', costUsd: 0 }] }, exit: null });

describe('ItemTexts', () => {
  it('serialises an item again only when it changed, however deep the change', () => {
    const texts = new ItemTexts();
    const { asked, serialise } = countingSerialiser();
    expect(texts.textsOf([session('a'), session('b')], serialise)).toEqual([JSON.stringify(session('a')), JSON.stringify(session('b'))]);
    expect(asked).toHaveLength(2);
    expect(texts.textsOf([session('a'), session('b')], serialise)).toEqual([JSON.stringify(session('a')), JSON.stringify(session('b'))]);
    expect(asked).toHaveLength(2);
    const changed = session('b');
    changed.usage.byModel[0]!.costUsd = 0.5;
    expect(texts.textsOf([session('a'), changed], serialise)[1]).toBe(JSON.stringify(changed));
    expect(asked).toHaveLength(3);
  });

  it('never takes an item changed in place for the one it listed', () => {
    const texts = new ItemTexts();
    const item = session('a');
    texts.textsOf([item], JSON.stringify);
    item.status = 'working';
    item.usage.byModel[0]!.costUsd = 1;
    expect(texts.textsOf([item], JSON.stringify)).toEqual([JSON.stringify(item)]);
  });

  it('serialises every time items without an id, and ones that serialise as they like', () => {
    const texts = new ItemTexts();
    const { asked, serialise } = countingSerialiser();
    let calls = 0;
    const own = { id: 'f', toJSON: () => ({ id: 'f', calls: ++calls }) };
    const dated = { id: 'd', at: new Date(0) };
    for (let i = 0; i < 2; i++) texts.textsOf([{ name: 'no id' }, own, dated], serialise);
    expect(asked).toHaveLength(6);
    expect(texts.textsOf([own], JSON.stringify)).toEqual(['{"id":"f","calls":3}']);
  });

  it('keeps at most twice the longest list, forgetting the least recently listed', () => {
    const texts = new ItemTexts(2);
    const { asked, serialise } = countingSerialiser();
    texts.textsOf([session('a'), session('b')], serialise);
    for (const id of ['c', 'd', 'e']) texts.textsOf([session('a'), session(id)], serialise);
    expect(asked).toHaveLength(5);
    // `a`, listed every time, is kept; `b`, least recently listed of the five, was dropped.
    texts.textsOf([session('a'), session('e'), session('d'), session('c')], serialise);
    expect(asked).toHaveLength(5);
    texts.textsOf([session('b')], serialise);
    expect(asked).toHaveLength(6);
  });

  it('lists through jsonList as JSON.stringify would', () => {
    const items = [session('a'), session('b', 'working')];
    const texts = new ItemTexts();
    const plain = jsonList('sessions', items, ['id'], () => {});
    expect(jsonList('sessions', items, ['id'], () => {}, texts)).toBe(plain);
    expect(jsonList('sessions', items, ['id'], () => {}, texts)).toBe(plain);
    expect(JSON.parse(plain)).toEqual({ sessions: items });
  });
});

describe('samePlainData', () => {
  it('compares plain data by value and anything else by identity', () => {
    expect(samePlainData({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] })).toBe(true);
    expect(samePlainData({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    // JSON leaves out a key holding undefined.
    expect(samePlainData({ a: undefined, c: 1 }, { c: 1 })).toBe(true);
    expect(samePlainData({ a: undefined }, { b: 5 })).toBe(false);
    expect(samePlainData({ b: 5 }, { a: undefined })).toBe(false);
    expect(samePlainData({ a: { b: undefined } }, { a: { b: null } })).toBe(false);
    const toJSON = () => ({});
    expect(samePlainData({ toJSON }, { toJSON })).toBe(false);
    expect(samePlainData({ a: 1 }, { a: '1' })).toBe(false);
    expect(samePlainData([], {})).toBe(false);
    expect(samePlainData(Number.NaN, Number.NaN)).toBe(false);
    expect(samePlainData(new Date(0), new Date(1))).toBe(false);
    const date = new Date(0);
    expect(samePlainData(date, date)).toBe(true);
  });
});
