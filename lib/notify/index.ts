/** The run-end notice (docs/NOTIFY.md): its settings, its payload, and the webhook that sends it. */
import type { Logger } from '../logger.js';
import type { Notifier } from './notice.js';
import { MIN_ATTEMPT_MS } from './retry.js';
import type { NotifySettings } from './settings.js';
export { NOTIFY_BOUNDS, NOTIFY_FORMATS, notifyFrom, type NotifyFormat, type NotifySettings } from './settings.js';
export { noticeBody, noticeText, runNotice, type Notifier, type RunNotice } from './notice.js';

/**
 * The operator's webhook (`config.notify`) as the run's notifier, its sender loaded on the first notice;
 * undefined when none is configured. The orchestrator's callers pass it in RunDeps. `budgetMs`: the
 * time the caller can still give the notice (a function invocation's, less what it must do after);
 * the notice's timeout is cut to it, and with less than 100 ms left it is not sent.
 */
export function operatorNotifier(
  settings: NotifySettings | undefined,
  logger: Logger,
  budgetMs?: () => number,
): Notifier | undefined {
  if (!settings) return undefined;
  return async (notice) => {
    const budget = budgetMs ? budgetMs() : Infinity;
    // Less time than one attempt needs: not sent (a notice cut off mid-send helps no one).
    if (budget < MIN_ATTEMPT_MS) {
      logger.warn({ run_id: notice.run_id, notify: settings.origin }, 'run-end notice not sent: no time left');
      return;
    }
    const timeoutMs = Math.min(settings.timeoutMs, budget);
    const attemptTimeoutMs = Math.min(settings.attemptTimeoutMs, timeoutMs);
    const { webhookNotifier } = await import('./webhook.js');
    await webhookNotifier({ ...settings, timeoutMs, attemptTimeoutMs }, logger)(notice);
  };
}
