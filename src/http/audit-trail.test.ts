import { describe, expect, it } from 'vitest';
import { AUDITED_ROUTES, UNAUDITED_ROUTES } from './audit-trail.js';
import { ROUTE_ACCESS } from './route-scopes.js';

describe('the audit trail of the API', () => {
  it('has a decision for every route that is not a GET: an action to record, or why there is none', () => {
    const changing = Object.keys(ROUTE_ACCESS).filter((route) => !route.startsWith('GET '));
    const undecided = changing.filter((route) => !(route in AUDITED_ROUTES) && !(route in UNAUDITED_ROUTES));
    expect(undecided).toEqual([]);
    for (const route of [...Object.keys(AUDITED_ROUTES), ...Object.keys(UNAUDITED_ROUTES)]) expect(ROUTE_ACCESS, route).toHaveProperty([route]);
  });
});
