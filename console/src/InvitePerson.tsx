/**
 * Invite person (admins): Name, Email, Role → Create invite adds the person and makes their
 * sign-in link; InviteLink shows that link once, to copy and hand over (single use, 72 h).
 */
import { useState } from 'preact/hooks';
import type { Person, Role } from '../../shared/api.js';
import { ROLES } from '../../shared/roles.js';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatTime, roleLabel } from '../../ui/labels';
import { errorOf, type ConsoleApi } from './api';

export type IssuedInvite = { name: string; url: string; expiresAt: string };

type Props = {
  api: ConsoleApi;
  /** The person exists from here on, even if making their link then fails. */
  onPersonAdded: (person: Person) => void;
  onInvited: (invite: IssuedInvite) => void;
  onCancel: () => void;
};

export const ROLE_SUMMARY = 'Viewer: reads. Member: also creates applications and connects test keys. Admin: also live keys, removals and people.';

export function InvitePerson({ api, onPersonAdded, onInvited, onCancel }: Props) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ServalError | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const person = await api.createPerson({ name: name.trim(), email: email.trim() || null, role });
      onPersonAdded(person);
      const invite = await api.createInvite(person.id);
      onInvited({ name: person.name, ...invite });
    } catch (e) {
      setError(errorOf(e));
      setBusy(false);
    }
  }

  return (
    <form class="stack invite-person" onSubmit={submit} aria-labelledby="invite-person-heading">
      <h2 id="invite-person-heading">Invite person</h2>
      <label for="person-name">Name</label>
      {/* biome-ignore lint/a11y/noAutofocus: the form appears in answer to the person's Invite person click, and focus follows it */}
      <input id="person-name" required maxLength={100} autoFocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <label for="person-email">Email</label>
      <input
        id="person-email"
        type="email"
        maxLength={254}
        autocomplete="off"
        aria-describedby="person-email-note"
        value={email}
        onInput={(e) => setEmail(e.currentTarget.value)}
      />
      <p id="person-email-note" class="muted">
        Optional: the address their single sign-on uses, if any.
      </p>
      <label for="person-role">Role</label>
      <select id="person-role" aria-describedby="person-role-note" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {roleLabel(r)}
          </option>
        ))}
      </select>
      <p id="person-role-note" class="muted">
        {ROLE_SUMMARY}
      </p>
      {error && <ErrorMessage error={error} />}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Create invite
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The link, shown once: a read-only field to select, and Copy. */
export function InviteLink({ invite, onDone }: { invite: IssuedInvite; onDone: () => void }) {
  const [copied, setCopied] = useState<null | 'copied' | 'failed'>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(invite.url);
      setCopied('copied');
    } catch {
      (document.getElementById('invite-link') as HTMLInputElement | null)?.select();
      setCopied('failed');
    }
  }

  return (
    <section class="invite-link" aria-labelledby="invite-link-heading">
      <h2 id="invite-link-heading">Invite for {invite.name}</h2>
      <p>Send it to them: it opens this console and adds a passkey for them. It works once, until {formatTime(invite.expiresAt)}, and is not shown again.</p>
      <label for="invite-link">Invite link</label>
      <input id="invite-link" readOnly value={invite.url} onFocus={(e) => e.currentTarget.select()} />
      <div class="row">
        <button type="button" class="primary" onClick={copy}>
          Copy
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          Done
        </button>
        <span role="status" class="muted">
          {copied === 'copied' ? 'Copied.' : copied === 'failed' ? 'Copying was refused: the link is selected, copy it with the keyboard.' : ''}
        </span>
      </div>
    </section>
  );
}
