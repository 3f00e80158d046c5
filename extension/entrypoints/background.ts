// First: no zod schema may be made before zod is told not to try eval.
import '../../ui/zod-without-eval';
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { createServalBackground, STATUS_ALARM } from '../background/serval-background';
import { createMessageListener } from '../messaging/router';
import { restrictStorageToExtension } from '../storage';

export default defineBackground(() => {
  // First, on every worker start: nothing is stored before the token's storage is closed to pages.
  void restrictStorageToExtension();
  const background = createServalBackground();
  // Listeners are registered synchronously, so that a message or an alarm wakes the worker.
  const extension = { id: browser.runtime.id, baseUrl: browser.runtime.getURL('/') };
  browser.runtime.onMessage.addListener(createMessageListener(background.handlers, extension));
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === STATUS_ALARM) void background.refreshStatus();
  });
  browser.runtime.onInstalled.addListener(() => void background.start());
  browser.runtime.onStartup.addListener(() => void background.start());
});
