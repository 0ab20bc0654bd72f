// web: how the dashboard names a team member: by the name on the team list, by address when it has none
import type { TeamMember } from '../api/types';

/**
 * A team member's name from the team list (`GET /api/team`), or the address as given when nobody on the team has it
 * (someone who left the team, a customer) or their name is empty.
 * @example agentName([{ email: 'ada@x.example', name: 'Ada' }], 'ADA@x.example') // → 'Ada'
 */
export function agentName(team: readonly TeamMember[], address: string): string {
  const wanted = address.trim().toLowerCase();
  return team.find((member) => member.email.toLowerCase() === wanted)?.name.trim() || address;
}
