// web: a team member shown by name, their address on hover
import { useApp } from '../app-context';
import { agentName } from '../lib/team';

/** A team member's name (see {@link agentName}), with the address as its title. */
export function AgentName({ address }: { address: string }) {
  const { team } = useApp();
  return (
    <span class="agent" title={address}>
      {agentName(team, address)}
    </span>
  );
}
