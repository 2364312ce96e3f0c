// The conversation's reference in the dashboard's addresses. The conversation id is the guest's phone number,
// and a page (its links, the browser's history, a proxy's access log) must never carry it: the reference is the
// id encrypted with AES-256-GCM under a key derived from the installation's secret, with a synthetic IV (an
// HMAC of the id), so one conversation always has the same address, it cannot be read without the key, and a
// forged or altered reference does not open.
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class ConversationRefs {
  private readonly encKey: Buffer;
  private readonly ivKey: Buffer;

  constructor(installationSecret: string) {
    this.encKey = createHmac('sha256', installationSecret).update('watibot3 dashboard: conversation refs (enc)').digest();
    this.ivKey = createHmac('sha256', installationSecret).update('watibot3 dashboard: conversation refs (iv)').digest();
  }

  refFor(conversationId: string): string {
    const iv = createHmac('sha256', this.ivKey).update(conversationId).digest().subarray(0, IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([cipher.update(conversationId, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The conversation id, or undefined for anything this installation did not issue. */
  conversationIdOf(ref: string): string | undefined {
    if (!/^[A-Za-z0-9_-]{40,400}$/.test(ref)) return undefined;
    const raw = Buffer.from(ref, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const id = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      return id;
    } catch {
      return undefined;
    }
  }
}
