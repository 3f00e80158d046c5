/**
 * The card's host, injected into the dashboard by the background worker (scripting.executeScript)
 * only once the content script has found a key: it places the card's frames beside the key. The
 * card itself is an extension page (entrypoints/card/), out of the page's reach.
 */
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { installCardApiGlobal, installedCardApi } from '../card/card-api';
import { backgroundHostDeps } from '../card/host-deps';
import { createCardApi } from '../card/mount';

export default defineUnlistedScript(() => {
  if (!installedCardApi()) installCardApiGlobal(createCardApi(document, backgroundHostDeps));
});
