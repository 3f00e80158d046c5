/** Paired devices, this browser marked, each with Revoke. */
import { useEffect, useState } from 'preact/hooks';
import type { Device } from '../../shared/api.js';
import type { ServalError } from '../../ui/errors';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatTime } from '../../ui/labels';
import { ConsoleApiError, type ConsoleApi } from './api';

export function Devices({ api, thisDeviceId, onSignedOut }: { api: ConsoleApi; thisDeviceId: string; onSignedOut: () => void }) {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState<ServalError | null>(null);
  const fail = (e: unknown) => setError(e instanceof ConsoleApiError ? e.error : { code: 'internal_error', message: String(e) });

  useEffect(() => {
    api.devices().then(setDevices, fail);
  }, [api]);

  async function revoke(device: Device) {
    setError(null);
    try {
      await api.revokeDevice(device.id);
      if (device.id === thisDeviceId) return onSignedOut();
      setDevices((list) => list?.filter((d) => d.id !== device.id) ?? null);
    } catch (e) {
      fail(e);
    }
  }

  return (
    <>
      <h1>Devices</h1>
      {error && <ErrorMessage error={error} />}
      {devices === null && !error && <p class="muted">Loading…</p>}
      {devices && (
        <ul class="devices">
          {devices.map((device) => (
            <li class="device" key={device.id}>
              <div>
                <strong>{device.name}</strong> {device.id === thisDeviceId && <span class="pill this-browser">This browser</span>}
                <p class="muted">
                  Paired {formatTime(device.createdAt)} · last seen {formatTime(device.lastSeenAt)}
                </p>
              </div>
              <button
                type="button"
                class="danger"
                aria-label={`Revoke ${device.name}${device.id === thisDeviceId ? ' (this browser)' : ''}`}
                onClick={() => revoke(device)}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
