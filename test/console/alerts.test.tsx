/** The Alerts page (admins): endpoints, Add endpoint → the signing secret shown once, deliveries, Remove; closed to other roles. */
import { cleanup, fireEvent, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { signedInAs } from './fake-api';
import { open } from './render';

const TEAM = {
  id: 'ale_team',
  url: 'https://hooks.example.com/serval',
  kind: 'webhook',
  events: ['integration.broken'],
  createdAt: '2026-11-28T10:00:00.000Z',
};
const SLACK = {
  id: 'ale_slack',
  url: 'https://hooks.slack.com/services/T/B/x',
  kind: 'slack',
  events: ['integration.broken', 'device.paired'],
  createdAt: '2026-11-28T11:00:00.000Z',
};
const itemOf = (url: string) => screen.getByText(url, { selector: 'strong' }).closest('li')!;

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('the Alerts page', () => {
  it('Add endpoint → URL, Kind, Events: the endpoint is listed and its signing secret shown once; deliveries and Remove per endpoint', async () => {
    const fake = open('/alerts', {
      ...signedInAs('admin'),
      'GET /api/alert-endpoints': { status: 200, body: { endpoints: [TEAM] } },
      'POST /api/alert-endpoints': { status: 201, body: { endpoint: SLACK, secret: 'svlsig_shown_once' } },
      'GET /api/alert-endpoints/ale_team/deliveries': {
        status: 200,
        body: {
          deliveries: [
            {
              id: 'dlv_1',
              eventId: 'evt_1',
              event: 'integration.broken',
              createdAt: '2026-11-28T12:00:00.000Z',
              status: 'failed',
              attempts: 11,
              lastAttemptAt: '2026-11-29T12:00:00.000Z',
              nextAttemptAt: null,
              lastAnswer: { status: 500, error: 'HTTP 500: down' },
            },
          ],
        },
      },
      'DELETE /api/alert-endpoints/ale_team': { status: 204 },
    });
    await screen.findByText(TEAM.url);
    expect(screen.getByRole('link', { name: 'Alerts' }).getAttribute('aria-current')).toBe('page');
    expect(document.title).toBe('Alerts · Serval');

    fireEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    fireEvent.input(screen.getByLabelText('URL'), { target: { value: SLACK.url } });
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'slack' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /device\.paired/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /integration\.recovered/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /integration\.key_expiring/ }));
    fireEvent.click(within(screen.getByRole('form', { name: 'Add endpoint' })).getByRole('button', { name: 'Add endpoint' }));
    expect(((await screen.findByRole('textbox', { name: 'Signing secret' })) as HTMLInputElement).value).toBe('svlsig_shown_once');
    expect(fake.calls.find((c) => c.method === 'POST')?.body).toEqual({ url: SLACK.url, kind: 'slack', events: ['integration.broken', 'device.paired'] });
    expect(screen.getByText(SLACK.url, { selector: 'strong' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('textbox', { name: 'Signing secret' })).toBeNull();

    fireEvent.click(within(itemOf(TEAM.url)).getByRole('button', { name: 'Deliveries' }));
    const table = await screen.findByRole('table', { name: `Deliveries to ${TEAM.url}` });
    expect(within(table).getByText('HTTP 500: down')).toBeTruthy();
    expect(within(table).getByText('failed')).toBeTruthy();
    fireEvent.click(within(itemOf(TEAM.url)).getByRole('button', { name: 'Remove', description: TEAM.url }));
    await screen.findByText(SLACK.url, { selector: 'strong' });
    await expect.poll(() => screen.queryByText(TEAM.url, { selector: 'strong' })).toBeNull();
  });

  it('shows the backend’s refusal of a URL in its words; a member is not offered the page and is told who may', async () => {
    open('/alerts', {
      ...signedInAs('admin'),
      'GET /api/alert-endpoints': { status: 200, body: { endpoints: [] } },
      'POST /api/alert-endpoints': {
        status: 400,
        body: { error: { code: 'alert_url_refused', message: 'hooks.internal resolves to 10.0.0.5, which is a private address.' } },
      },
    });
    await screen.findByText('No alert endpoints yet.');
    fireEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    fireEvent.input(screen.getByLabelText('URL'), { target: { value: 'https://hooks.internal/x' } });
    fireEvent.click(within(screen.getByRole('form', { name: 'Add endpoint' })).getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByText('hooks.internal resolves to 10.0.0.5, which is a private address.')).toBeTruthy();
    cleanup();

    open('/alerts', signedInAs('member'));
    expect(await screen.findByText('Only an admin can manage alerts.')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Alerts' })).toBeNull();
  });
});
