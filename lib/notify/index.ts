/** The run-end notice (docs/NOTIFY.md): its settings, its payload, and the webhook that sends it. */
import type { Logger } from '../logger.js';
import type { Notifier } from './notice.js';
import type { NotifySettings } from './settings.js';
export { NOTIFY_BOUNDS, NOTIFY_FORMATS, notifyFrom, type NotifyFormat, type NotifySettings } from './settings.js';
export { noticeBody, noticeText, runNotice, type Notifier, type RunNotice } from './notice.js';

/**
 * The operator's webhook (`config.notify`) as the run's notifier, its sender loaded on the first notice;
 * undefined when none is configured. The orchestrator's callers pass it in RunDeps.
 */
export function operatorNotifier(settings: NotifySettings | undefined, logger: Logger): Notifier | undefined {
  if (!settings) return undefined;
  let notifier: Notifier | undefined;
  return async (notice) => {
    notifier ??= (await import('./webhook.js')).webhookNotifier(settings, logger);
    await notifier(notice);
  };
}
