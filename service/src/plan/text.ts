/** Text helpers for Salesforce's field limits, which count UTF-16 code units (Java string length). */

export const ELLIPSIS = '…';

/** Cuts `text` to at most `max` code units, ending with "…" when cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, Math.max(0, end)) + ELLIPSIS;
}

/** `mm:ss` for seconds into the recording; minutes keep counting past 59 (`75:03`). */
export function formatOffset(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** The recording link that starts playback at `seconds` (`t` query parameter). */
export function recordingAt(recordingUrl: string, seconds: number): string {
  try {
    const url = new URL(recordingUrl);
    url.searchParams.set('t', String(Math.max(0, Math.floor(seconds))));
    return url.toString();
  } catch {
    return recordingUrl;
  }
}

/** Only http(s) links are ever rendered as links; anything else is shown as text or left out. */
export function isWebUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** Collapses control characters (other than newlines and tabs) that Salesforce text fields refuse. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ');
}

/** A one-line version of `text` (for subjects and titles). */
export function oneLine(text: string): string {
  return cleanText(text).replace(/\s+/g, ' ').trim();
}

export function formatDuration(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
