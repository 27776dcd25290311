/** The run-end notice (docs/NOTIFY.md): its settings, its payload, and the webhook that sends it. */
export { NOTIFY_BOUNDS, NOTIFY_FORMATS, notifyFrom, type NotifyFormat, type NotifySettings } from './settings.js';
export { noticeBody, noticeText, runNotice, type Notifier, type RunNotice } from './notice.js';
