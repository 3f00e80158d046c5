/**
 * `npm run pair [-- --email E]`: a fresh pairing code, written to the same database the running
 * server reads. For the earliest enabled admin (on a backend without people, Owner, made now), or
 * for the person with that e-mail address.
 */
import { parseArgs } from 'node:util';
import { clockTime } from '../pairing/codes.js';
import { readOrExit, runTool, UsageError } from './run-tool.js';

const { email } = readOrExit(() => {
  try {
    return parseArgs({ options: { email: { type: 'string' } } }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nUsage: npm run pair [-- --email E]`);
  }
});

await runTool(async (runtime) => {
  let personId: string | undefined;
  if (email !== undefined) {
    const person = await runtime.people.byEmail(email);
    if (!person) throw new UsageError(`No person has the e-mail address ${JSON.stringify(email)}. Nothing was issued.`);
    if (person.disabledAt !== null)
      throw new UsageError(`${person.name} (${person.email}) is disabled: enable them on the People page first. Nothing was issued.`);
    personId = person.id;
  }
  const { code, expiresAt, person } = await runtime.pairing.issueCode(personId);
  process.stdout.write(
    `Pairing code: ${code}\n  (for ${person.name}, ${person.role}; valid until ${clockTime(expiresAt)}, single use; enter it in the Serval extension's options or at the console's sign-in)\n`,
  );
});
