/**
 * `npm run invite -- --name N [--email E] --role R`: an invite link (single use, 72 h) that opens
 * the console to add a passkey. With an e-mail address, the person who has it is invited (made
 * if there is none); without one, a new person is made.
 */
import { parseArgs } from 'node:util';
import { ApplicationNameSchema, EmailSchema } from '../../shared/api.js';
import { isRole, ROLES } from '../../shared/roles.js';
import { readOrExit, runTool, UsageError } from './run-tool.js';

const USAGE = `Usage: npm run invite -- --name N [--email E] --role ${ROLES.join('|')}`;

const input = readOrExit(readArguments);

await runTool(async (runtime) => {
  const existing = input.email === null ? undefined : await runtime.people.byEmail(input.email);
  if (existing?.disabledAt) throw new UsageError(`${existing.name} (${existing.email}) is disabled: enable them on the People page first. Nothing was issued.`);
  const person = existing ?? (await runtime.people.create(input, null));
  const { url, expiresAt } = await runtime.people.invite(person.id, null);
  const lines = [`Invite link: ${url}`, `  (for ${person.name}, ${person.role}; single use, valid until ${expiresAt})`];
  if (existing) {
    lines.push(
      `  ${existing.email} already belonged to ${existing.name}, ${existing.role}: invited them${existing.role === input.role ? '' : ' (their role is unchanged; change it on the People page)'}.`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
});

function readArguments(): { name: string; email: string | null; role: (typeof ROLES)[number] } {
  let values: { name?: string; email?: string; role?: string };
  try {
    ({ values } = parseArgs({ options: { name: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } } }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const name = ApplicationNameSchema.safeParse(values.name ?? '');
  if (!name.success) throw new UsageError(`--name: ${name.error.issues[0].message}\n${USAGE}`);
  if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}.\n${USAGE}`);
  let email: string | null = null;
  if (values.email !== undefined) {
    const parsed = EmailSchema.safeParse(values.email);
    if (!parsed.success) throw new UsageError(`--email: ${parsed.error.issues[0].message}\n${USAGE}`);
    email = parsed.data;
  }
  return { name: name.data, email, role: values.role };
}
