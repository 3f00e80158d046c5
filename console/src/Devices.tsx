/**
 * Devices: Pair a browser (a pairing code for the signed-in person), the paired devices, and the
 * console sessions, each revocable ("This session" is the one on this page: revoking it signs
 * out). An admin sees everyone's, with whose they are.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Device, SessionInfo } from '../../shared/api.js';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatTime } from '../../ui/labels';
import { errorOf, type ConsoleApi } from './api';
import { describeUserAgent } from './user-agent';

type Props = { api: ConsoleApi; admin: boolean; onSignedOut: () => void };

const METHODS: Record<SessionInfo['method'], string> = { passkey: 'a passkey', oidc: 'SSO', code: 'a pairing code' };

export function Devices({ api, admin, onSignedOut }: Props) {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [pairing, setPairing] = useState<{ code: string; expiresAt: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ServalError | null>(null);
  const fail = (e: unknown) => setError(errorOf(e));

  useEffect(() => {
    api.devices().then(setDevices, fail);
    api.sessions().then(setSessions, fail);
  }, [api]);

  async function pair() {
    setBusy(true);
    setError(null);
    try {
      setPairing(await api.createPairingCode());
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function revokeDevice(device: Device) {
    setError(null);
    try {
      await api.revokeDevice(device.id);
      setDevices((list) => list?.filter((d) => d.id !== device.id) ?? null);
    } catch (e) {
      fail(e);
    }
  }

  async function revokeSession(session: SessionInfo) {
    setError(null);
    try {
      await api.revokeSession(session.id);
      if (session.current) return onSignedOut();
      setSessions((list) => list?.filter((s) => s.id !== session.id) ?? null);
    } catch (e) {
      fail(e);
    }
  }

  const whose = (person: { name: string }) => (admin ? ` · ${person.name}` : '');

  return (
    <>
      <h1>Devices</h1>
      {error && <ErrorMessage error={error} />}
      <section aria-labelledby="pair-heading">
        <h2 id="pair-heading">Pair a browser</h2>
        <p class="muted">A pairing code for you, to connect the Serval extension in another browser, or to sign in to this console there.</p>
        <div class="row">
          <button type="button" class="primary" disabled={busy} onClick={pair}>
            Pair a browser
          </button>
        </div>
        <div aria-live="polite">
          {pairing && (
            <p class="pairing-code">
              Pairing code: <code>{pairing.code}</code>, until {formatTime(pairing.expiresAt)}. Enter it in the Serval extension's options (or on this console's
              sign-in page); it works once.
            </p>
          )}
        </div>
      </section>

      <h2>Paired devices</h2>
      {devices === null && !error && <p class="muted">Loading…</p>}
      {devices?.length === 0 && <p class="muted">No device is paired.</p>}
      {devices && devices.length > 0 && (
        <ul class="devices">
          {devices.map((device) => (
            <li class="device" key={device.id}>
              <div>
                <strong>{device.name}</strong>
                {whose(device.person)}
                <p class="muted">
                  Paired {formatTime(device.createdAt)} · last seen {formatTime(device.lastSeenAt)}
                </p>
              </div>
              <button type="button" class="danger" aria-label={`Revoke ${device.name}`} onClick={() => revokeDevice(device)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}

      <h2>Console sessions</h2>
      {sessions === null && !error && <p class="muted">Loading…</p>}
      {sessions && (
        <ul class="devices sessions">
          {sessions.map((session) => {
            const browser = describeUserAgent(session.userAgent);
            return (
              <li class="device session" key={session.id}>
                <div>
                  <strong>{browser}</strong>
                  {whose(session.person)} {session.current && <span class="pill this-browser">This session</span>}
                  <p class="muted">
                    Signed in with {METHODS[session.method]} {formatTime(session.createdAt)} · last seen {formatTime(session.lastSeenAt)}
                  </p>
                </div>
                <button
                  type="button"
                  class="danger"
                  aria-label={session.current ? 'Revoke this session' : `Revoke the session in ${browser}${admin ? ` of ${session.person.name}` : ''}`}
                  onClick={() => revokeSession(session)}
                >
                  Revoke
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
