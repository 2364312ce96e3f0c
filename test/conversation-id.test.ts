import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consoleConversation, isConsoleConversation, loggableConversationId, useLogMaskKey } from '../src/core/conversation-id.js';
import { openMigratedDatabase } from './support/test-db.js';
import { logMaskKey } from '../src/store/installation.js';
import { tempDbPath } from './support/test-config.js';

describe('loggableConversationId', () => {
  it('masks with an HMAC keyed by a secret created once per installation and kept in its database', () => {
    const path = tempDbPath();
    const db = openMigratedDatabase(path);
    const secret = logMaskKey(db);
    db.close();
    const reopened = openMigratedDatabase(path);
    expect(logMaskKey(reopened)).toBe(secret);
    reopened.close();
    const other = openMigratedDatabase(tempDbPath());
    const otherSecret = logMaskKey(other);
    other.close();
    expect(otherSecret).not.toBe(secret);

    useLogMaskKey(secret);
    const here = loggableConversationId('50312344568');
    expect(loggableConversationId('50312344568')).toBe(here);
    expect(here).toMatch(/^wa:…4568:[0-9a-f]{10}$/);
    // Not the old unsalted hash, which anyone could recompute for the 10,000 numbers ending in 4568.
    expect(here).not.toContain(createHash('sha256').update('50312344568').digest('hex').slice(0, 8));
    useLogMaskKey(otherSecret);
    expect(loggableConversationId('50312344568')).not.toBe(here);
  });

  it('masks ManyChat subscriber ids the same way', () => {
    expect(loggableConversationId('facebook:7100000000000001')).toMatch(/^fb:…0001:[0-9a-f]{10}$/);
    expect(loggableConversationId('instagram:1900000002')).toMatch(/^ig:…0002:[0-9a-f]{10}$/);
    expect(loggableConversationId('facebook:7100000000000001')).not.toContain('7100000000000001');
  });
});

describe('console conversations (npm run chat)', () => {
  it('are console:<name>, never a webhook key, and logged as they are (no guest behind them)', () => {
    expect(consoleConversation('prueba', 'instagram', '5030000000000000')).toEqual({
      conversationId: 'console:prueba',
      channel: 'instagram',
      externalId: '5030000000000000',
    });
    expect(isConsoleConversation('console:prueba')).toBe(true);
    expect(isConsoleConversation('50312344568')).toBe(false);
    expect(isConsoleConversation('facebook:7100000000000001')).toBe(false);
    expect(loggableConversationId('console:prueba')).toBe('console:prueba');
  });
});
