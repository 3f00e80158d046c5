/**
 * People (admins): everyone with their role and state; Invite person; a role per person (a select
 * named with the person's name); Disable / Enable; a new invite link for someone already here.
 * The backend keeps one enabled admin at least (409 last_admin), shown as any error is.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Person, Role } from '../../shared/api.js';
import { ROLES } from '../../shared/roles.js';
import type { PersonChange } from '../../ui/api-client';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatTime, roleLabel } from '../../ui/labels';
import { errorOf, type ConsoleApi } from './api';
import { InviteLink, InvitePerson, type IssuedInvite } from './InvitePerson';

type Props = { api: ConsoleApi; me: Person; onMeChanged: (me: Person) => void };

export function People({ api, me, onMeChanged }: Props) {
  const [people, setPeople] = useState<Person[] | null>(null);
  const [inviting, setInviting] = useState(false);
  const [invite, setInvite] = useState<IssuedInvite | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ServalError | null>(null);

  useEffect(() => {
    api.people().then(setPeople, (e) => setError(errorOf(e)));
  }, [api]);

  const replace = (person: Person) => setPeople((list) => list?.map((p) => (p.id === person.id ? person : p)) ?? null);

  async function change(person: Person, change: PersonChange) {
    setBusy(person.id);
    setError(null);
    try {
      const updated = await api.updatePerson(person.id, change);
      replace(updated);
      if (updated.id === me.id) onMeChanged(updated);
    } catch (e) {
      setError(errorOf(e));
      // A refused role change: the select shows the role the person still has.
      setPeople((list) => (list ? [...list] : list));
    } finally {
      setBusy(null);
    }
  }

  async function newInvite(person: Person) {
    setBusy(person.id);
    setError(null);
    try {
      setInvite({ name: person.name, ...(await api.createInvite(person.id)) });
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <div class="page-head">
        <h1>People</h1>
        {!inviting && (
          <button
            type="button"
            class="primary"
            onClick={() => {
              setInvite(null);
              setInviting(true);
            }}
          >
            Invite person
          </button>
        )}
      </div>
      {inviting && (
        <InvitePerson
          api={api}
          onPersonAdded={(person) => setPeople((list) => [...(list ?? []), person])}
          onInvited={(issued) => {
            setInviting(false);
            setInvite(issued);
          }}
          onCancel={() => setInviting(false)}
        />
      )}
      {invite && <InviteLink invite={invite} onDone={() => setInvite(null)} />}
      {error && <ErrorMessage error={error} />}
      {people === null && !error && <p class="muted">Loading…</p>}
      {people && (
        <ul class="people">
          {people.map((person) => {
            const nameId = `person-${person.id}`;
            return (
              <li class="person" key={person.id}>
                <div class="person-who">
                  <strong id={nameId}>{person.name}</strong>
                  {person.id === me.id && <span class="muted"> (you)</span>}{' '}
                  <span class={`pill ${person.disabledAt ? 'state-disabled' : 'state-active'}`}>{person.disabledAt ? 'Disabled' : 'Active'}</span>
                  <p class="muted">
                    {person.email ?? 'No e-mail address'} · added {formatTime(person.createdAt)}
                    {person.disabledAt && ` · disabled ${formatTime(person.disabledAt)}`}
                  </p>
                </div>
                <div class="person-controls">
                  <select
                    aria-label={person.name}
                    value={person.role}
                    disabled={busy === person.id}
                    onChange={(e) => change(person, { role: e.currentTarget.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {roleLabel(r)}
                      </option>
                    ))}
                  </select>
                  {!person.disabledAt && (
                    <button type="button" class="secondary" aria-describedby={nameId} disabled={busy === person.id} onClick={() => newInvite(person)}>
                      New invite link
                    </button>
                  )}
                  <button
                    type="button"
                    class={person.disabledAt ? 'secondary' : 'danger'}
                    aria-describedby={nameId}
                    disabled={busy === person.id}
                    onClick={() => change(person, { disabled: !person.disabledAt })}
                  >
                    {person.disabledAt ? 'Enable' : 'Disable'}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
