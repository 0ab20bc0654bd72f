// Unit: who is on the team: one lookup for every place that asks (assignees, forwards, notes, sign-in, rules)
import { describe, expect, it } from 'vitest';
import { findTeamMember, parseDeskConfig, teamMember } from '../../../functions/core/config/desk-config';

const config = parseDeskConfig({
  domain: 'desk.localhost',
  desks: [{ id: 'support', address: 'support@desk.localhost', name: 'Support' }],
  team: [
    { email: 'Ada@Desk.Localhost', name: 'Ada Agent' },
    { email: 'bo@desk.localhost', name: 'Bo Builder' },
  ],
});

describe('findTeamMember', () => {
  it('finds a member by address in any case and with stray spaces, and nobody else', () => {
    expect(findTeamMember(config.team, ' ADA@desk.localhost ')?.name).toBe('Ada Agent');
    expect(findTeamMember(config.team, 'bo@desk.localhost')?.name).toBe('Bo Builder');
    expect(findTeamMember(config.team, 'stranger@example.com')).toBeUndefined();
    expect(findTeamMember(config.team, '')).toBeUndefined();
  });

  it('backs teamMember, which names the team when the address is not on it', () => {
    expect(teamMember(config, 'BO@desk.localhost').name).toBe('Bo Builder');
    expect(teamMember(config).name).toBe('Ada Agent');
    expect(() => teamMember(config, 'stranger@example.com')).toThrow('ada@desk.localhost, bo@desk.localhost');
  });
});
