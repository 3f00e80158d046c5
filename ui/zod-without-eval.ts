/**
 * The extension's CSP and the console's both forbid eval. Zod decides whether to compile a fast
 * parser with `new Function` when each object schema is made, and that attempt alone is reported
 * as a CSP violation even though zod catches it: so this runs before any schema is made. Import it
 * first, ahead of anything that imports shared/api.ts.
 */
import { z } from 'zod';

z.config({ jitless: true });
