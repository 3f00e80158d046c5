/**
 * `kind: "slack"`: the alert as a Slack incoming webhook's message — `text` (the notification's
 * words, and what clients without blocks show) plus `blocks` (a section and a context line). Pure.
 *
 * Slack parses `&`, `<` and `>` as control characters in text objects (links, mentions such as
 * <!channel>), so each is written as its HTML entity and nothing else is:
 * https://api.slack.com/reference/surfaces/formatting#escaping. An application's name is whatever
 * a person typed; escaped, it can't mention @channel or make a link.
 */
import { ALERT_EVENT_LABELS, type AlertEventType, type AlertPayload } from '../../shared/alerts.js';

const EMOJI: Partial<Record<AlertEventType, string>> = { 'integration.broken': ':rotating_light:', 'integration.recovered': ':white_check_mark:' };

export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export type SlackMessage = {
  text: string;
  blocks: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } } | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }>;
};

export function slackMessage(payload: AlertPayload): SlackMessage {
  const headline = ALERT_EVENT_LABELS[payload.type];
  const about: string[] = [];
  if (payload.application) about.push(`*${escapeSlack(payload.application.name)}*`);
  if (payload.integration) {
    const { maskedKey, mode, status, accountId, accountName, keyExpiresAt } = payload.integration;
    // The account's name is Stripe's (whatever its owner typed): escaped like an application's.
    const account = [accountName, accountId]
      .filter(Boolean)
      .map((part) => `, ${escapeSlack(String(part))}`)
      .join('');
    const expiry = keyExpiresAt ? `, stops working at ${escapeSlack(keyExpiresAt)}` : '';
    about.push(`\`${escapeSlack(maskedKey)}\` (${mode}, ${status.replace('_', ' ')}${account}${expiry})`);
  }
  if (payload.person) about.push(`by ${escapeSlack(payload.person.name)}`);
  const line = `${headline}${about.length ? `: ${about.join(' ')}` : ''}`;
  return {
    text: `Serval: ${line}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${EMOJI[payload.type] ?? ':bell:'} *Serval* — ${line}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${payload.type} · ${payload.id} · ${payload.createdAt}` }] },
    ],
  };
}
