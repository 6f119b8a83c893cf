import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts small secrets (mail account passwords) at rest with AES-256-GCM. */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/**
 * A SecretBox keyed from SECRET_KEY with HKDF-SHA256. `context` (e.g. the inbox id) is bound as
 * additional authenticated data, so a ciphertext copied onto another record does not decrypt.
 */
export function createSecretBox(secretKey: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'threadline', 'stored-credentials', 32));
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed, context) {
      const [version, payload] = sealed.split(':', 2);
      if (version !== VERSION || !payload) {
        throw new AppError('SECRET_INVALID', 'Stored secret has an unknown format');
      }
      const raw = Buffer.from(payload, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (err) {
        throw new AppError('SECRET_INVALID', 'Stored secret cannot be decrypted: SECRET_KEY changed or the value was tampered with', { cause: err });
      }
    },
  };
}

/** HMAC-SHA256 (hex) under a key derived from SECRET_KEY; signs the ticket part of our Message-IDs. */
export function createSigner(secretKey: string): (value: string) => string {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'threadline', 'message-ids', 32));
  return (value) => createHmac('sha256', key).update(value).digest('hex');
}
