/**
 * Signing a digest with the stack's KMS key (KeyUsage SIGN_VERIFY, ECC_NIST_P256): the raw digest bytes are
 * signed with ECDSA_SHA_256 (MessageType RAW: KMS hashes them), and the DER signature is what `openssl dgst
 * -sha256 -verify` takes. Only the sealer's role may sign (the key's policy).
 */
import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { SIGNING_ALGORITHM } from './trail-digest.ts';

export interface Signer {
  keyArn: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** The key's id (its last ARN part) and its public key as PEM (SubjectPublicKeyInfo). */
  publicKey(): Promise<{ keyId: string; pem: string }>;
}

/** PEM from the DER SubjectPublicKeyInfo that KMS GetPublicKey returns. */
export const pemOf = (der: Uint8Array) =>
  createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({
    type: 'spki',
    format: 'pem',
  }) as string;

export function kmsSigner(kms: KMSClient, keyArn: string, budget = () => ({})): Signer {
  return {
    keyArn,
    async sign(message) {
      const signed = await kms.send(
        new SignCommand({
          KeyId: keyArn,
          Message: message,
          MessageType: 'RAW',
          SigningAlgorithm: SIGNING_ALGORITHM,
        }),
        budget(),
      );
      if (!signed.Signature) throw new Error('KMS returned no signature');
      return signed.Signature;
    },
    async publicKey() {
      const answer = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }), budget());
      if (!answer.PublicKey) throw new Error('KMS returned no public key');
      return {
        keyId: String(answer.KeyId ?? keyArn)
          .split('/')
          .at(-1) as string,
        pem: pemOf(answer.PublicKey),
      };
    },
  };
}
