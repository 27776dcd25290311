/**
 * The gateway's throttling message: the forms Huawei's API gateway is seen to answer (support pages,
 * users' reports), and wording it does not state a quota in.
 */
import { describe, expect, it } from 'vitest';
import { describeQuota, parseThrottleQuota, quotaBurst, quotaRate } from '../../../lib/traffic/quota-message.js';

describe('parseThrottleQuota', () => {
  it.each([
    // Huawei Cloud's FAQ "How Do I Handle the Error APIG.0308?" (per second) and OCR's (per minute).
    [
      'APIG.0308',
      'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second',
      20,
      1,
    ],
    [
      'APIG.0308',
      'The throttling threshold has been reached: policy user over ratelimit,limit:60,time:1 minute',
      60,
      60,
    ],
    // A user's report (Dify issue 18378): an IP policy, per minute.
    ['APIG.0308', 'The throttling threshold has been reached: policy ip over ratelimit,limit:5,time:1 minute', 5, 60],
    // The emulator's and dedicated gateways' APIGW spelling, other policy kinds.
    [
      'APIGW.0308',
      'The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second',
      200,
      1,
    ],
    [
      'APIGW.0308',
      'The throttling threshold has been reached: policy api over ratelimit,limit:1000,time:1 hour',
      1000,
      3600,
    ],
    [
      'APIGW.0308',
      'The throttling threshold has been reached: policy app over ratelimit,limit:30,time:10 seconds',
      30,
      10,
    ],
    ['apigw.0308', 'policy user over ratelimit, limit: 50 , time: 1 Second', 50, 1],
    [
      'APIG.0308',
      'THE THROTTLING THRESHOLD HAS BEEN REACHED: POLICY USER OVER RATELIMIT,LIMIT:7,TIME:1 MINUTES',
      7,
      60,
    ],
    ['APIG.0308', 'policy user over ratelimit,limit:12,time:second', 12, 1],
    ['APIG.0308', 'policy domain over ratelimit,limit:2.5,time:1 second', 2.5, 1],
    [undefined, 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second', 20, 1],
  ])('%s %s → %d per %d s', (code, msg, limit, periodSeconds) => {
    expect(parseThrottleQuota(code, msg)).toEqual({ limit, periodSeconds });
  });

  it.each([
    ['APIGW.0308', 'The throttling threshold has been reached.'],
    ['APIGW.0308', 'Too many requests'],
    ['APIGW.0308', 'policy user over ratelimit,limit:XX,time:1 second'],
    ['APIGW.0308', 'policy user over ratelimit,limit:0,time:1 second'],
    ['APIGW.0308', 'policy user over ratelimit,limit:20,time:1 fortnight'],
    ['APIGW.0308', ''],
    ['APIGW.0308', undefined],
    ['FDI.3001', 'policy user over ratelimit,limit:20,time:1 second'],
    ['APIGW.0101', 'policy user over ratelimit,limit:20,time:1 second'],
  ])('%s %j → undefined (today’s adaptation)', (code, msg) => {
    expect(parseThrottleQuota(code, msg)).toBeUndefined();
  });

  it('paces a longer period and bursts only a per-second quota', () => {
    expect(quotaRate({ limit: 120, periodSeconds: 60 })).toBe(2);
    expect(quotaBurst({ limit: 120, periodSeconds: 60 })).toBe(1);
    expect(quotaBurst({ limit: 50, periodSeconds: 1 })).toBe(50);
    expect(quotaBurst({ limit: 0.5, periodSeconds: 1 })).toBe(1);
    expect(describeQuota({ limit: 120, periodSeconds: 60 })).toBe('120 requests per 1 minute(s)');
    expect(describeQuota({ limit: 20, periodSeconds: 1 })).toBe('20 requests per second');
  });
});
