// web: desk settings: the three email templates (subject + body) and options; loaded on demand
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Desk, DeskSettings, Template } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { IntakeRulesEditor } from '../components/intake-rules-editor';
import { ruleProblems, type RuleProblem } from '../lib/intake-rules';
import { TEMPLATE_PLACEHOLDERS } from '../lib/placeholders';
import { routeHref } from '../lib/route';

type TemplateName = keyof DeskSettings['templates'];

const TEMPLATES: readonly { name: TemplateName; title: string; when: string }[] = [
  { name: 'ack', title: 'Acknowledgement', when: 'Sent to the requester when a new ticket is opened.' },
  { name: 'reply', title: 'Reply', when: 'Sent to each participant when an agent replies; {{note.text}} is the reply.' },
  { name: 'participantAdded', title: 'Participant added', when: "Sent to someone an agent adds, or a participant's reply has in Cc." },
  {
    name: 'relay',
    title: 'Relay',
    when: 'Sent to the other people on a ticket when the requester or a participant replies by email; {{author.name}} wrote {{note.text}}.',
  },
];

/** Settings of one desk; without a desk id, the first desk. */
export function SettingsPage({ deskId }: { deskId: string | null }) {
  const { api, announce, team } = useApp();
  const [desks, setDesks] = useState<Desk[] | null>(null);
  const [settings, setSettings] = useState<DeskSettings | null>(null);
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const [problems, setProblems] = useState<ReadonlyMap<number, readonly RuleProblem[]>>(new Map());
  const current = deskId ?? desks?.[0]?.id ?? null;

  useEffect(() => {
    api.desks().then(
      (r) => setDesks(r.items),
      (failure: unknown) => setError(errorMessage(failure)),
    );
  }, [api]);
  useEffect(() => {
    if (!current) return;
    setSettings(null);
    api.settings(current).then(setSettings, (failure: unknown) => setError(errorMessage(failure)));
  }, [api, current]);

  const setTemplate = (name: TemplateName, field: keyof Template, value: string): void => {
    if (settings)
      setSettings({ ...settings, templates: { ...settings.templates, [name]: { ...settings.templates[name], [field]: value } } });
  };

  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!settings) return;
    setSaving(true);
    try {
      setSettings(await api.saveSettings(settings));
      setError('');
      setProblems(new Map());
      announce('Settings saved.');
    } catch (failure) {
      // The server decides what is wrong; a refusal naming rules is shown beside each rule it names.
      const found = failure instanceof ApiError && failure.status === 400 ? ruleProblems(failure.message) : null;
      setProblems(found?.rules ?? new Map());
      setError(
        found && found.other.length === 0
          ? `Not saved: fix ${found.rules.size === 1 ? 'the rule' : 'the rules'} marked below.`
          : (found?.other.join('; ') ?? errorMessage(failure)),
      );
    } finally {
      setSaving(false);
    }
  };

  return (
    <div class="settings-page">
      <h1>Settings</h1>
      {desks && desks.length > 1 && (
        <nav class="views" aria-label="Desks">
          {desks.map((desk) => (
            <a
              key={desk.id}
              href={routeHref({ page: 'settings', deskId: desk.id })}
              aria-current={desk.id === current ? 'page' : undefined}
            >
              {desk.name}
            </a>
          ))}
        </nav>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!settings && !error && <p class="loading">Loading…</p>}
      {settings && (
        <form onSubmit={(event) => void save(event)} class="settings">
          <p class="desk-address">{desks?.find((d) => d.id === settings.deskId)?.address}</p>
          <aside class="placeholders" aria-labelledby="placeholders-title">
            <h2 id="placeholders-title">Placeholders</h2>
            <p>Usable in every subject and body ({'{{unsubscribe.url}}'} not in the acknowledgement); bodies are Markdown.</p>
            <ul>
              {TEMPLATE_PLACEHOLDERS.map((p) => (
                <li key={p}>
                  <code>{`{{${p}}}`}</code>
                </li>
              ))}
            </ul>
          </aside>
          <label class="toggle">
            <input
              type="checkbox"
              checked={settings.ackEnabled}
              onChange={(event) => setSettings({ ...settings, ackEnabled: event.currentTarget.checked })}
            />
            Send an acknowledgement when a ticket is opened
          </label>
          <label class="toggle">
            <input
              type="checkbox"
              checked={settings.relay}
              onChange={(event) => setSettings({ ...settings, relay: event.currentTarget.checked })}
            />
            Relay a participant's emailed reply to everyone else on the ticket
          </label>
          <label class="toggle">
            <input
              type="checkbox"
              checked={settings.ccOnReplies === 'add'}
              onChange={(event) => setSettings({ ...settings, ccOnReplies: event.currentTarget.checked ? 'add' : 'ignore' })}
            />
            Add people a participant's reply has in Cc to the ticket (they get the participant notice)
          </label>
          <fieldset>
            <legend>Mail from strangers</legend>
            <p class="hint">
              A reply token proves which ticket a mail belongs to. A Message-ID or a [#n] in the subject does not: anyone on the thread
              knows the one, anyone can type the other.
            </p>
            <label for="strangers">When only those match and the sender is not on the ticket (or SES found the sender spoofed)</label>
            <select
              id="strangers"
              value={settings.strangers}
              onChange={(event) =>
                setSettings({ ...settings, strangers: event.currentTarget.value === 'new-ticket' ? 'new-ticket' : 'hold' })
              }
            >
              <option value="hold">hold the mail on that ticket for an agent to accept or move</option>
              <option value="new-ticket">open a new ticket for it</option>
            </select>
          </fieldset>
          <label for="notify-team">Mail the team about a new ticket</label>
          <select
            id="notify-team"
            value={settings.notifyTeam ?? 'everyone'}
            onChange={(event) =>
              setSettings({ ...settings, notifyTeam: event.currentTarget.value as NonNullable<DeskSettings['notifyTeam']> })
            }
          >
            <option value="everyone">Everyone on the team</option>
            <option value="unassigned">Everyone, while it is unassigned</option>
            <option value="nobody">Nobody (only its assignee)</option>
          </select>
          <IntakeRulesEditor
            rules={settings.rules}
            team={team}
            desks={desks ?? []}
            problems={problems}
            onChange={(rules, reordered) => {
              setSettings({ ...settings, rules });
              if (reordered) setProblems(new Map());
            }}
          />
          {TEMPLATES.map(({ name, title, when }) => (
            <fieldset key={name}>
              <legend>{title}</legend>
              <p class="hint">{when}</p>
              <label for={`${name}-subject`}>Subject</label>
              <input
                id={`${name}-subject`}
                value={settings.templates[name].subject}
                onInput={(event) => setTemplate(name, 'subject', event.currentTarget.value)}
              />
              <label for={`${name}-body`}>Body</label>
              <textarea
                id={`${name}-body`}
                rows={8}
                value={settings.templates[name].body}
                onInput={(event) => setTemplate(name, 'body', event.currentTarget.value)}
              />
            </fieldset>
          ))}
          <div class="composer-actions">
            {error ? (
              <span class="error">{error}</span>
            ) : (
              settings.updatedAt && <span class="muted">Last saved {new Date(settings.updatedAt).toLocaleString()}</span>
            )}
            <button type="submit" class="primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
