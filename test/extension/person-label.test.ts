/** extension/people/person.ts: the paired person in words, and what the card may offer them. */
import { describe, expect, it } from 'vitest';
import { changeRefusal, personLabel, roleInWords, sendRefusal } from '../../extension/people/person';

describe('the paired person', () => {
  it('is named with their role', () => {
    expect(personLabel({ name: 'Ana Lima', role: 'member' })).toBe('Ana Lima (Member)');
    expect(personLabel({ name: 'Owner', role: 'admin' })).toBe('Owner (Admin)');
    expect(personLabel({ name: 'Bo', role: 'viewer' })).toBe('Bo (Viewer)');
  });

  it('has their role in words for the card, without the name', () => {
    expect([roleInWords('admin'), roleInWords('member'), roleInWords('viewer')]).toEqual(['an admin', 'a member', 'a viewer']);
  });

  it('may send a key by its mode: live for an admin, test for a member or above, none for a viewer', () => {
    const live = 'Only an admin can send live keys.';
    const test = 'Only a member or above can change applications and test keys.';
    expect([sendRefusal({ role: 'admin' }, 'live'), sendRefusal({ role: 'admin' }, 'test')]).toEqual([null, null]);
    expect([sendRefusal({ role: 'member' }, 'live'), sendRefusal({ role: 'member' }, 'test')]).toEqual([live, null]);
    expect([sendRefusal({ role: 'viewer' }, 'live'), sendRefusal({ role: 'viewer' }, 'test')]).toEqual([live, test]);
  });

  it('unknown (the backend did not say): nothing refused here, the backend decides', () => {
    expect(sendRefusal(null, 'live')).toBeNull();
    expect(changeRefusal(null)).toBeNull();
  });

  it('only a viewer is told that changes are not theirs', () => {
    expect(changeRefusal({ role: 'viewer' })).toBe('Only a member or above can change applications and test keys.');
    expect(changeRefusal({ role: 'member' })).toBeNull();
    expect(changeRefusal({ role: 'admin' })).toBeNull();
  });
});
