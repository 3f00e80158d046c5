/**
 * The offer card, injected into the dashboard by the background worker (scripting.executeScript)
 * only once the content script has found a key: Preact and the card stay out of the script that
 * loads with every dashboard page.
 */
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { installCardApiGlobal, installedCardApi } from '../card/card-api';
import { backgroundCardClient } from '../card/card-client';
import { createCardApi } from '../card/mount';

export default defineUnlistedScript(() => {
  if (!installedCardApi()) installCardApiGlobal(createCardApi(document, backgroundCardClient));
});
