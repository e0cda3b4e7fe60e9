import { v5, v7, validate } from 'uuid';

export interface IdGenerator {
  /** a new time-ordered id (UUIDv7) */
  next(): string;
}

export const uuidV7Ids: IdGenerator = { next: () => v7() };

/** A stable id for something that has a natural name (an imported file), so re-imports update, not duplicate. */
const HELIX_NAMESPACE_UUID = '6f1c7c2e-9a57-4a3e-8d55-3d6b2f0f7d41';
export const stableId = (name: string): string => v5(name, HELIX_NAMESPACE_UUID);

export const isUuid = (s: string): boolean => validate(s);
